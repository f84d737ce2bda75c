#!/bin/sh
# Fetch and unpack a Debian source package without touching the system's apt
# configuration: the deb-src entries are derived from the machine's own apt
# sources (every "deb" entry gains its "deb-src" twin) into a private apt state
# under the cache directory, so no host name is written here.
#
#   release/apt-source.sh CACHE_DIR PACKAGE...
#
# Each PACKAGE ends up unpacked in CACHE_DIR/PACKAGE (a stable name, whatever
# the version), with CACHE_DIR/PACKAGE.version holding the version it came from.
set -eu

cache=$1; shift
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
apt="$cache/apt"
mkdir -p "$apt/sources.list.d" "$apt/lists/partial"

etc=/etc/apt
derived="$apt/sources.list.d/derived.sources"
: >"$derived.new"
if [ -f "$etc/sources.list" ]; then
	# one-line style: "deb [opts] URI suite comp..." becomes "deb-src ..."
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$etc/sources.list" >"$apt/sources.list.d/derived.list"
fi
for f in "$etc"/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$apt/sources.list.d/derived.list"
done
for f in "$etc"/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	# deb822 style: keep each stanza whose Types include "deb", as deb-src;
	# drop Architectures (source indices have none) and disabled stanzas
	awk '
		function flush() {
			if (keep && !off) { print "Types: deb-src"; printf "%s", body; print "" }
			keep = 0; off = 0; body = ""
		}
		/^[[:space:]]*$/ { flush(); next }
		/^#/ { next }
		tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") keep = 1; next }
		tolower($1) == "enabled:" { if (tolower($2) == "no") off = 1; next }
		tolower($1) == "architectures:" { next }
		{ body = body $0 "\n" }
		END { flush() }
	' "$f" >>"$derived.new"
done
mv "$derived.new" "$derived"
[ -s "$derived" ] || rm -f "$derived"
[ -s "$apt/sources.list.d/derived.list" ] || rm -f "$apt/sources.list.d/derived.list"
if ! ls "$apt"/sources.list.d/derived.* >/dev/null 2>&1; then
	echo "apt-source.sh: no 'deb' entries in $etc to derive source entries from" >&2
	exit 1
fi

aptq() {
	apt-get -q -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$apt/sources.list.d" \
		-o Dir::State::Lists="$apt/lists" \
		-o Debug::NoLocking=true "$@"
}
if ! ls "$apt"/lists/*Sources* >/dev/null 2>&1; then
	aptq update >"$apt/update.log" 2>&1 || { cat "$apt/update.log" >&2; exit 1; }
fi

for pkg in "$@"; do
	[ -d "$cache/$pkg" ] && continue
	work="$cache/$pkg.download"
	rm -rf "$work" && mkdir -p "$work"
	(cd "$work" && aptq source --download-only "$pkg" >download.log 2>&1) ||
		{ cat "$work/download.log" >&2; exit 1; }
	dsc=$(ls "$work"/*.dsc)
	# dpkg-source checks the checksums in the .dsc against the tarballs
	(cd "$work" && dpkg-source --no-check -x "$dsc" src >unpack.log 2>&1) ||
		{ cat "$work/unpack.log" >&2; exit 1; }
	sed -n 's/^Version: //p' "$dsc" >"$cache/$pkg.version"
	mv "$work/src" "$cache/$pkg"
	rm -rf "$work"
done
