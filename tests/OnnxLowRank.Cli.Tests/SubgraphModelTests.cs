using System.Text.Json;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// models/subgraph/if_convs.onnx (Convs and Linears inside If branches) through compress: what the report and the
/// per-layer table say of layers inside subgraphs that calibration cannot capture or latency-aware analysis cannot time.
/// </summary>
public class SubgraphModelTests : ScratchFolderTest
{
    private static string IfConvs => RepositoryFiles.Model("subgraph/if_convs.onnx");

    [Test]
    public void Calibrated_compression_factorizes_branch_layers_weight_only_and_says_so_per_layer()
    {
        var report = Path.Combine(Folder, "compress.json");
        var run = CliProcess.Run("compress", IfConvs, "-o", Path.Combine(Folder, "out.onnx"), "--keep-params", "0.5",
            "--calibration", "random", "--calibration-limit", "64", "--report", report);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var layers = json.RootElement.GetProperty("compression").GetProperty("layers").EnumerateArray().ToList();
        Assert.That(layers, Is.Not.Empty);
        Assert.That(layers.Select(l => l.GetProperty("name").GetString()), Is.All.StartWith("/If/"), "named by their path through the If");
        Assert.That(layers.Select(l => l.GetProperty("note").GetString()), Is.All.StartWith("weight-only: inside a subgraph"));
        Assert.That(run.Stdout, Does.Contain("weight-only: inside a subgraph"), "the per-layer table carries the note");
    }

    [Test]
    public void Latency_aware_compression_leaves_branch_layers_whole_as_not_timed()
    {
        var report = Path.Combine(Folder, "compress.json");
        var run = CliProcess.Run("compress", IfConvs, "-o", Path.Combine(Folder, "out.onnx"), "--keep-params", "0.5", "--latency-aware",
            "--report", report, "--quiet");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var compression = json.RootElement.GetProperty("compression");
        Assert.That(compression.GetProperty("layers").GetArrayLength(), Is.Zero);
        var skipped = compression.GetProperty("skipped").EnumerateArray().ToList();
        Assert.That(skipped, Has.Count.EqualTo(6), "four Convs and two Gemms, three per branch");
        Assert.That(skipped.Select(s => s.GetProperty("reason").GetString()), Is.All.EqualTo("notTimed"));
    }
}
