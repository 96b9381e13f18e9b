/**
 * Configuration: {@link io.hotline.discovery.config.HotlineConfig}, flat {@code hotline.*} properties from system
 * properties, the environment, a properties file or an oslo.config INI file ({@link
 * io.hotline.discovery.config.IniFile}, mapped by {@link io.hotline.discovery.config.IniOptions}). Strict: an unknown
 * or malformed value is refused with the key and where it came from.
 */
package io.hotline.discovery.config;
