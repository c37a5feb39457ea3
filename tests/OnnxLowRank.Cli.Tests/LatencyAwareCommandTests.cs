using System.Text.Json;

namespace OnnxLowRank.Cli.Tests;

/// <summary>compress --latency-aware and --keep-latency: options, exit codes and the per-layer timing table.</summary>
public class LatencyAwareCommandTests : ScratchFolderTest
{
    [Test]
    public void Latency_aware_compression_reports_every_layer_and_keeps_no_pair_slower_than_its_layer()
    {
        var report = Path.Combine(Folder, "compress.json");
        var run = CliProcess.Run("compress", RepositoryFiles.Model("mlp.onnx"), "-o", Path.Combine(Folder, "mlp.onnx"), "--keep-params", "0.5",
            "--latency-aware", "--threads", "1", "--report", report, "--quiet");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var compression = json.RootElement.GetProperty("compression");
        var timing = compression.GetProperty("timing").EnumerateArray().ToList();
        var rewritten = compression.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()).ToHashSet();
        Assert.That(timing.Select(t => t.GetProperty("name").GetString()),
            Is.EquivalentTo(new[] { "/layers/layers.1/Gemm", "/layers/layers.4/Gemm", "/layers/layers.7/Gemm", "/layers/layers.10/Gemm" }));
        foreach (var row in timing)
        {
            var name = row.GetProperty("name").GetString();
            Assert.That(row.GetProperty("originalMs").GetDouble(), Is.GreaterThan(0), name);
            if (row.GetProperty("outcome").GetString() == "factorized")
            {
                Assert.That(rewritten, Does.Contain(name));
                Assert.That(row.GetProperty("chosenMs").GetDouble(), Is.LessThan(row.GetProperty("originalMs").GetDouble()), name);
            }
            else
            {
                Assert.That(rewritten, Does.Not.Contain(name));
                Assert.That(row.GetProperty("chosenMs").ValueKind, Is.EqualTo(JsonValueKind.Null), name);
            }
        }
        Assert.That(compression.GetProperty("budgetParametersAfter").GetInt64(), Is.LessThanOrEqualTo(compression.GetProperty("budgetParametersBefore").GetInt64() / 2));
    }

    [Test]
    public void A_latency_budget_with_another_budget_or_out_of_range_exits_with_two()
    {
        var mlp = RepositoryFiles.Model("mlp.onnx");
        var output = Path.Combine(Folder, "x.onnx");
        var both = CliProcess.Run("compress", mlp, "-o", output, "--keep-latency", "0.5", "--keep-flops", "0.5");
        Assert.That(both.ExitCode, Is.EqualTo(2), both.ToString());
        Assert.That(both.Stderr, Does.Contain("one budget"));
        var range = CliProcess.Run("compress", mlp, "-o", output, "--keep-latency", "1.5");
        Assert.That(range.ExitCode, Is.EqualTo(2), range.ToString());
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void An_unreachable_latency_budget_is_a_usage_error_with_advice()
    {
        var output = Path.Combine(Folder, "x.onnx");
        var run = CliProcess.Run("compress", RepositoryFiles.Model("mlp.onnx"), "-o", output, "--keep-latency", "0.01", "--threads", "1");
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr, Does.Contain("not reachable"));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void A_sweep_by_latency_keeps_each_point_within_its_share_of_the_summed_time()
    {
        var report = Path.Combine(Folder, "sweep.json");
        var run = CliProcess.Run("sweep", RepositoryFiles.Model("mlp.onnx"), "--data", RepositoryFiles.TestImages, "--normalize", RepositoryFiles.Normalization,
            "--limit", "200", "--batch", "100", "--budget", "latency", "--keep", "0.5,0.8", "--methods", "global-energy", "--threads", "1", "--report", report, "--quiet");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var sweep = json.RootElement.GetProperty("sweep");
        Assert.That(sweep.GetProperty("budget").GetString(), Is.EqualTo("latency"));
        foreach (var point in sweep.GetProperty("points").EnumerateArray())
            Assert.That(point.GetProperty("keptFraction").GetDouble(), Is.LessThanOrEqualTo(point.GetProperty("keepFraction").GetDouble()));
    }
}
