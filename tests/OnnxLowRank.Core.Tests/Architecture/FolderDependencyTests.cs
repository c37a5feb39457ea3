using OnnxLowRank.Core.Tests.Support;

namespace OnnxLowRank.Core.Tests.Architecture;

/// <summary>Core's folders depend on each other one way only, in <see cref="FolderDependencies.Order"/>; each folder is its namespace.</summary>
public class FolderDependencyTests
{
    private static readonly string CoreSources = RepositoryFiles.Folder(Path.Combine("src", "OnnxLowRank.Core"));

    [Test]
    public void EveryCoreFolderIsInTheOrderOnce()
    {
        var folders = Directory.GetDirectories(CoreSources).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj"));
        Assert.That(folders, Is.EquivalentTo(FolderDependencies.Order));
    }

    [Test]
    public void EveryCoreFileIsInTheNamespaceOfItsFolder()
    {
        var misplaced = new List<string>();
        foreach (var (file, folder, source) in Sources())
        {
            var expected = folder.Length == 0 ? "a folder" : $"namespace OnnxLowRank.Core.{folder};";
            if (folder.Length == 0 || !source.Split('\n').Any(l => l.TrimEnd() == expected)) misplaced.Add($"{file}: not in {expected}");
        }
        Assert.That(misplaced, Is.Empty);
    }

    [Test]
    public void NoCoreFolderUsesOneAboveIt()
    {
        var sources = Sources().ToList();
        var typesByFolder = sources.GroupBy(s => s.Folder)
            .ToDictionary(g => g.Key, g => g.SelectMany(s => FolderDependencies.DeclaredTypes(s.Source)).ToHashSet());
        var violations = sources.SelectMany(s => FolderDependencies.Check(s.File, s.Folder, s.Source, typesByFolder)).Select(v => v.ToString());
        Assert.That(violations, Is.Empty);
    }

    // The check itself, on a file of Layers (which may use Execution and Numerics, not Pipeline).
    [TestCase("using OnnxLowRank.Core.Pipeline;")]
    [TestCase("global using OnnxLowRank.Core.Pipeline;")]
    [TestCase("using static OnnxLowRank.Core.Pipeline.PipelineOptions;")]
    [TestCase("using Options = OnnxLowRank.Core.Pipeline.PipelineOptions;")]
    [TestCase("    var options = new OnnxLowRank.Core.Pipeline.PipelineOptions();")]
    [TestCase("    var options = new global::OnnxLowRank.Core.Pipeline.PipelineOptions();")]
    [TestCase("/// <see cref=\"OnnxLowRank.Core.Pipeline.PipelineOptions\"/>")]
    [TestCase("    Pipeline.PipelineOptions options;")]
    [TestCase("    Core.Pipeline.PipelineOptions options;")]
    [TestCase("using OnnxLowRank.Core.Elsewhere;")]
    public void AUseOfAFolderAboveIsReportedWithItsLine(string line)
    {
        var source = $"namespace OnnxLowRank.Core.Layers;\n\n{line}\n";
        var violations = FolderDependencies.Check("Layers/Example.cs", "Layers", source, SyntheticTypes).ToList();
        Assert.That(violations.Select(v => (v.File, v.Line)), Is.EqualTo(new[] { ("Layers/Example.cs", 3) }));
    }

    [TestCase("using OnnxLowRank.Core.Numerics;")]
    [TestCase("using OnnxLowRank.Core.Layers;")]
    [TestCase("    var rows = Execution.TensorData.Empty;")]
    [TestCase("    var count = Pipeline.Count;")]
    [TestCase("    var count = result.Pipeline.PipelineOptions;")]
    [TestCase("using OnnxLowRank.Onnx.Protos;")]
    public void AUseOfItsOwnFolderOrOneBelowIsAllowed(string line)
    {
        var source = $"namespace OnnxLowRank.Core.Layers;\n\n{line}\n";
        Assert.That(FolderDependencies.Check("Layers/Example.cs", "Layers", source, SyntheticTypes), Is.Empty);
    }

    private static readonly Dictionary<string, HashSet<string>> SyntheticTypes = new()
    {
        ["Execution"] = ["TensorData"],
        ["Pipeline"] = ["PipelineOptions"],
    };

    private static IEnumerable<(string File, string Folder, string Source)> Sources()
    {
        foreach (var path in Directory.EnumerateFiles(CoreSources, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(CoreSources, path).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal)) continue;
            var slash = relative.IndexOf('/');
            yield return (relative, slash < 0 ? "" : relative[..slash], File.ReadAllText(path));
        }
    }
}
