#!/bin/sh
# Pack the static binaries into release tarballs, byte for byte the same from
# any checkout of the same commit:
#
#   release/dist.sh VERSION OUT_DIR TRIPLET...
#
# Each TRIPLET's build/static-TRIPLET/envssm becomes
# OUT_DIR/envssm-VERSION-linux-ARCH.tar.gz with the man page, LICENSE and
# README; OUT_DIR/SHA256SUMS lists them all.
set -eu

version=$1 out=$2; shift 2
mkdir -p "$out"
# file times come from the commit, not the clock
epoch=$(git log -1 --format=%ct 2>/dev/null || echo 0)
export LC_ALL=C TZ=UTC

for triplet in "$@"; do
	case $triplet in
	x86_64-*) arch=amd64 ;;
	aarch64-*) arch=arm64 ;;
	*) arch=${triplet%%-*} ;;
	esac
	name="envssm-$version-linux-$arch"
	stage="$out/$name"
	rm -rf "$stage"
	mkdir -p "$stage"
	cp "build/static-$triplet/envssm" "$stage/envssm"
	cp man/envssm.1 LICENSE README.md "$stage/"
	chmod 0755 "$stage/envssm"
	chmod 0644 "$stage/envssm.1" "$stage/LICENSE" "$stage/README.md"
	tar -C "$out" --sort=name --format=gnu --mtime="@$epoch" --owner=0 --group=0 \
		--numeric-owner -cf - "$name" | gzip -9n >"$out/$name.tar.gz"
	rm -rf "$stage"
done
(cd "$out" && sha256sum envssm-"$version"-linux-*.tar.gz >SHA256SUMS)
cat "$out/SHA256SUMS"
