#!/usr/bin/env bash
# Installs the `kolmo` command from this source tree as a .NET tool: packs Kolmo.Tool for this machine's platform
# into a temporary feed and installs it from there.
#   ./install.sh                    global tool: ~/.dotnet/tools/kolmo (add ~/.dotnet/tools to PATH)
#   ./install.sh --tool-path DIR    into DIR: DIR/kolmo
# Packages for every platform (a pointer package plus one per platform): dotnet pack src/Kolmo.Cli -c Release -o DIR
set -euo pipefail
cd "$(dirname "$0")"
where=(--global)
if [[ $# -ge 2 && $1 == --tool-path ]]; then
    where=(--tool-path "$2")
elif [[ $# -gt 0 ]]; then
    echo "usage: ./install.sh [--tool-path DIR]" >&2
    exit 1
fi
rid=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "packing Kolmo.Tool for $rid ..."
dotnet pack src/Kolmo.Cli -c Release -o "$work/feed" -nologo -v q \
    -p:ToolPackageRuntimeIdentifiers="$rid" -p:RuntimeIdentifiers="$rid"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
dotnet tool uninstall "${where[@]}" Kolmo.Tool >/dev/null 2>&1 || true
# a private package cache, so that a rebuilt package of the same version is never taken from an old cache
NUGET_PACKAGES="$work/packages" dotnet tool install "${where[@]}" Kolmo.Tool --version "$version" --add-source "$work/feed"
