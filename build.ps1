# Thin wrapper over the dotnet CLI. Every verb here is one plain `dotnet` command, listed in README.md,
# so machines without PowerShell lose nothing.
param(
    [ValidateSet('restore', 'build', 'test', 'pack')]
    [string]$Target = 'test',
    [string]$Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
switch ($Target) {
    'restore' { dotnet restore OnnxLowRank.sln }
    'build'   { dotnet build OnnxLowRank.sln -c $Configuration }
    'test'    { dotnet test OnnxLowRank.sln -c $Configuration }
    'pack'    { dotnet pack OnnxLowRank.sln -c $Configuration -o artifacts/packages }
}
exit $LASTEXITCODE
