using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace OnnxLowRank.Core.Tests.Architecture;

/// <summary>
/// Core's folders in the order their dependencies may point, lowest first, and the check of one source file
/// against it. A folder is a namespace (OnnxLowRank.Core.Folder) and may use only the folders below it, so the
/// folders can never depend on each other in a circle. A file uses a folder where it writes
/// "OnnxLowRank.Core.Folder": a using directive of any kind (plain, static, alias, global) or a fully-qualified
/// name, in code or in a cref; and where it names one of the folder's types qualified by the folder alone
/// ("Execution.TensorData", "Core.Execution.TensorData"), which resolves inside OnnxLowRank.Core without a using.
/// </summary>
internal static partial class FolderDependencies
{
    /// <summary>Lowest first. docs/ARCHITECTURE.md shows this order as a table; change both together.</summary>
    public static readonly ImmutableArray<string> Order =
    [
        "Execution", "Numerics", "Data", "Allocation", "Layers", "Planning", "Factorization",
        "Rewrites", "DataAware", "Analysis", "Latency", "Sensitivity", "Pipeline", "Validation", "Publishing", "Search",
    ];

    public sealed record Violation(string File, int Line, string Folder, string Used)
    {
        public override string ToString() => Order.Contains(Used)
            ? $"{File}:{Line}: {Folder} uses {Used}, which is not below it in the order"
            : $"{File}:{Line}: {Folder} uses {Used}, which is not in the order";
    }

    /// <summary>Every use, in <paramref name="source"/> (a file of <paramref name="folder"/>), of a folder that is not below it.</summary>
    /// <param name="typesByFolder">The type names each folder declares, to recognise a name qualified by its folder alone.</param>
    public static IEnumerable<Violation> Check(string file, string folder, string source, IReadOnlyDictionary<string, HashSet<string>> typesByFolder)
    {
        var lines = source.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            foreach (var used in Uses(lines[i], typesByFolder).Distinct())
                if (used != folder && !IsBelow(used, folder))
                    yield return new Violation(file, i + 1, folder, used);
    }

    /// <summary>The type names a source file declares, nested ones included.</summary>
    public static IEnumerable<string> DeclaredTypes(string source) =>
        TypeDeclaration().Matches(source).Select(m => m.Groups["name"].Value);

    private static bool IsBelow(string used, string folder) =>
        Order.IndexOf(used) is var rank and >= 0 && rank < Order.IndexOf(folder);

    private static IEnumerable<string> Uses(string line, IReadOnlyDictionary<string, HashSet<string>> typesByFolder)
    {
        foreach (Match m in FullyQualified().Matches(line)) yield return m.Groups["folder"].Value;
        foreach (Match m in FolderQualified().Matches(line))
        {
            var folder = m.Groups["folder"].Value;
            if (typesByFolder.TryGetValue(folder, out var types) && types.Contains(m.Groups["type"].Value)) yield return folder;
        }
    }

    [GeneratedRegex(@"\bOnnxLowRank\.Core\.(?<folder>\w+)")]
    private static partial Regex FullyQualified();

    // Not after a dot or a letter, so never a piece of a longer name (the fully-qualified form is matched above).
    [GeneratedRegex(@"(?<![\w.])(?:Core\.)?(?<folder>\w+)\.(?<type>[A-Z]\w*)")]
    private static partial Regex FolderQualified();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();
}
