#!/bin/sh
# Build the static libraries envssm links into its one-file release binary:
# libcurl from Debian's curl source package (HTTP and HTTPS only, proxies,
# IPv6 and the threaded resolver kept) and cJSON from Debian's cjson source
# package, both against OpenSSL's static libraries from libssl-dev.
#
#   release/deps.sh CACHE_DIR [TRIPLET]
#
# TRIPLET is a Debian multiarch triplet (x86_64-linux-gnu, aarch64-linux-gnu);
# it defaults to the build machine's. The result goes to CACHE_DIR/TRIPLET
# (include/, lib/) and is reused while it is there.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=$1
triplet=${2:-$(gcc -dumpmachine)}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
out="$cache/$triplet"
[ -f "$out/.done" ] && exit 0

native=$(gcc -dumpmachine)
if [ "$triplet" = "$native" ]; then
	cc=gcc host=""
else
	cc="$triplet-gcc" host="--host=$triplet"
	command -v "$cc" >/dev/null || {
		echo "deps.sh: $cc not found; install crossbuild-essential for $triplet" >&2
		exit 1
	}
fi
for lib in libssl.a libcrypto.a; do
	[ -f "/usr/lib/$triplet/$lib" ] || {
		echo "deps.sh: /usr/lib/$triplet/$lib not found; install libssl-dev for $triplet" >&2
		exit 1
	}
done

"$here/apt-source.sh" "$cache" curl cjson

rm -rf "$out" "$out.build"
mkdir -p "$out/include/cjson" "$out/lib" "$out.build"
# the same bytes from any checkout directory, at any time
cflags="-O2 -fPIE -ffile-prefix-map=$cache=. -ffile-prefix-map=$out.build=."
export SOURCE_DATE_EPOCH=0 LC_ALL=C TZ=UTC

# cJSON: one file
cp "$cache/cjson/cJSON.h" "$out/include/cjson/"
(cd "$out.build" && $cc $cflags -std=c89 -c "$cache/cjson/cJSON.c" -o cJSON.o &&
	ar rcD "$out/lib/libcjson.a" cJSON.o)

# libcurl: configured out of tree, only what envssm uses
mkdir -p "$out.build/curl"
cd "$out.build/curl"
PKG_CONFIG_LIBDIR="/usr/lib/$triplet/pkgconfig:/usr/share/pkgconfig" \
CC=$cc CFLAGS="$cflags" \
"$cache/curl/configure" $host --prefix="$out" --disable-shared --enable-static \
	--disable-dependency-tracking --with-openssl \
	--enable-http --enable-proxy --enable-ipv6 --enable-threaded-resolver \
	--disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp \
	--disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap \
	--disable-smb --disable-smtp --disable-gopher --disable-mqtt \
	--disable-manual --disable-docs --disable-ntlm --disable-ntlm-wb \
	--disable-kerberos-auth --disable-negotiate-auth --disable-aws \
	--disable-cookies --disable-doh --disable-mime --disable-netrc \
	--disable-alt-svc --disable-hsts --disable-libcurl-option \
	--without-ca-bundle --without-ca-path --without-ca-fallback \
	--without-zlib --without-brotli --without-zstd --without-libpsl \
	--without-libidn2 --without-nghttp2 --without-ngtcp2 --without-nghttp3 \
	--without-quiche --without-librtmp --without-libssh2 --without-libssh \
	--without-libgsasl --without-gssapi >configure.log 2>&1 ||
	{ tail -30 configure.log >&2; exit 1; }
make -C lib -j"$(nproc)" >make.log 2>&1 || { tail -30 make.log >&2; exit 1; }
make -C lib install >>make.log 2>&1
make -C include install >>make.log 2>&1
cd "$out"
rm -rf "$out.build" "$out/lib/pkgconfig" "$out/lib/libcurl.la" "$out/bin" "$out/share"
{
	echo "curl $(cat "$cache/curl.version")"
	echo "cjson $(cat "$cache/cjson.version")"
} >"$out/versions"
touch "$out/.done"
