/**
 * `intracluster/di`: the inversify wiring. inversify and reflect-metadata are peer dependencies
 * (SUPPORTED_INVERSIFY): your application's copy is used, so these modules load into your containers.
 * `defineModule` lets an adapter or mapping author ship a module without importing inversify.
 */
export {
  coreModule,
  defineModule,
  loadModules,
  SUPPORTED_INVERSIFY,
  InversifyVersionError,
  inversifyVersion,
  isSupportedInversify,
  EngineFactory,
} from '../di';
export type { ModuleContents, Provider } from '../di';
export { createContainer, defaultModules, arpModule, ndpModule, mappingsModule } from '../container';
