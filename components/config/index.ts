export { ConfigError, configNamespace, loadStackConfig, parseStackConfig } from "./load";
export type { ParseResult, PlatformConfig, RawStackConfig } from "./load";
export type { AppConfig } from "./apps";
export type { NamespaceConfig, Layer } from "./namespaces";
export type { Environment, LogLevel } from "./primitives";
