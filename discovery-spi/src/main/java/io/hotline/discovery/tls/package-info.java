/** TLS from PEM files, as every Hotline process and store reads them: {@link io.hotline.discovery.tls.PemTls}. */
package io.hotline.discovery.tls;
