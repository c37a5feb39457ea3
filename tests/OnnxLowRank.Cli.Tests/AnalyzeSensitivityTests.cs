using System.Globalization;
using System.Text.Json;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// analyze --calibration measures each layer's damage to the outputs at a quarter, half and three quarters of its size, and shows
/// it in the terminal table, the JSON report and the HTML report's plot; --method sensitivity without calibration data is a usage error.
/// </summary>
public class AnalyzeSensitivityTests : ScratchFolderTest
{
    [Test]
    public void Analyze_with_calibration_prints_each_layers_damage_at_three_sizes()
    {
        var html = Path.Combine(Folder, "analysis.html");
        var run = CliInProcess.Run("analyze", RepositoryFiles.Model("resnet.onnx"), "--calibration", RepositoryFiles.Data("fmnist-train-512-images-idx3-ubyte.gz"),
            "--normalize", RepositoryFiles.Normalization, "--report", html);
        Assert.That(run.Exit, Is.EqualTo(0), run.Stderr);
        TestContext.Out.WriteLine(run.Stdout);
        Assert.That(run.Stdout, Does.Contain("Layer sensitivity"));
        Assert.That(run.Stdout, Does.Contain("damage at 25%").And.Contain("damage at 50%").And.Contain("damage at 75%"));
        Assert.That(run.Stdout, Does.Contain("128 calibration samples"));
        var rows = run.Stdout.Split('\n').Where(l => l.Contains("/head/Gemm") || l.Contains("/stem/conv/Conv")).ToList();
        // Each such layer appears in the layers table and in the sensitivity table, whose row ends in three damages.
        Assert.That(rows.Count(r => Damages(r).Count == 3), Is.EqualTo(2), string.Join("\n", rows));

        var report = File.ReadAllText(html);
        Assert.That(report, Does.Contain("Damage to logits with one layer factorized"));
        Assert.That(report, Does.Contain("<svg"));
    }

    [Test]
    public void Analyze_json_holds_the_measured_damage_and_it_falls_as_a_layer_keeps_more()
    {
        var run = CliInProcess.Run("analyze", RepositoryFiles.Model("mlp.onnx"), "--calibration", RepositoryFiles.Data("fmnist-train-512-images-idx3-ubyte.gz"),
            "--normalize", RepositoryFiles.Normalization, "--sensitivity-samples", "64", "--json");
        Assert.That(run.Exit, Is.EqualTo(0), run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var sensitivity = json.RootElement.GetProperty("analysis").GetProperty("sensitivity");
        Assert.That(sensitivity.GetProperty("measure").GetString(), Is.EqualTo("kl-divergence"), "logits of 10 classes");
        Assert.That(sensitivity.GetProperty("samples").GetInt32(), Is.EqualTo(64));
        var layers = sensitivity.GetProperty("layers").EnumerateArray().ToList();
        Assert.That(layers, Has.Count.EqualTo(4));
        foreach (var layer in layers)
        {
            var damage = layer.GetProperty("damage").EnumerateArray().ToList();
            Assert.That(damage.Select(d => d.GetProperty("fraction").GetDouble()), Is.EqualTo(new[] { 0.25, 0.5, 0.75 }));
            var values = damage.Select(d => d.GetProperty("damage").GetDouble()).ToList();
            Assert.That(values[0], Is.GreaterThan(0));
            Assert.That(values[2], Is.LessThanOrEqualTo(values[0]), layer.GetProperty("name").GetString());
        }
    }

    [Test]
    public void A_language_models_logits_are_scored_by_divergence_over_real_tokens()
    {
        var run = CliInProcess.Run("analyze", RepositoryFiles.Model(Path.Combine("causal", "tiny-gpt.onnx")), "--calibration", RepositoryFiles.Data(Path.Combine("text", "dev.txt")),
            "--tokenizer", RepositoryFiles.Model(Path.Combine("causal", "vocab.txt")), "--max-tokens", "32", "--sensitivity-samples", "32", "--json");
        Assert.That(run.Exit, Is.EqualTo(0), run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var sensitivity = json.RootElement.GetProperty("analysis").GetProperty("sensitivity");
        Assert.That(sensitivity.GetProperty("measure").GetString(), Is.EqualTo("kl-divergence"), "per-token logits as wide as the vocabulary");
        var damage = sensitivity.GetProperty("layers").EnumerateArray().SelectMany(l => l.GetProperty("damage").EnumerateArray()).Select(d => d.GetProperty("damage").GetDouble()).ToList();
        Assert.That(damage, Is.Not.Empty.And.All.GreaterThan(0));
    }

    [Test]
    public void A_token_models_hidden_states_are_scored_by_pooled_cosine()
    {
        var model = TokenModel.WriteModel(Folder);
        var vocab = TokenModel.WriteVocabulary(Folder);
        var train = TokenModel.WriteLines(Folder, "train.txt", 40, seed: 1);
        var run = CliInProcess.Run("analyze", model, "--calibration", train, "--tokenizer", vocab, "--max-tokens", "16", "--json");
        Assert.That(run.Exit, Is.EqualTo(0), run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var sensitivity = json.RootElement.GetProperty("analysis").GetProperty("sensitivity");
        Assert.That(sensitivity.GetProperty("measure").GetString(), Is.EqualTo("embedding-cosine"), "32 wide, not the vocabulary's 305");
        Assert.That(sensitivity.GetProperty("samples").GetInt32(), Is.EqualTo(40), "all 40 lines, fewer than the 128 asked for");
        Assert.That(sensitivity.GetProperty("samplesAsked").GetInt32(), Is.EqualTo(128));
        var damage = sensitivity.GetProperty("layers").EnumerateArray().SelectMany(l => l.GetProperty("damage").EnumerateArray()).Select(d => d.GetProperty("damage").GetDouble()).ToList();
        Assert.That(damage, Is.Not.Empty.And.All.InRange(0.0, 2.0));
    }

    [Test]
    public void Analyze_without_calibration_measures_no_sensitivity()
    {
        var run = CliInProcess.Run("analyze", RepositoryFiles.Model("mlp.onnx"), "--json");
        Assert.That(run.Exit, Is.EqualTo(0), run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.That(json.RootElement.GetProperty("analysis").GetProperty("sensitivity").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public void Compress_with_method_sensitivity_allocates_by_the_measured_damage()
    {
        var report = Path.Combine(Folder, "compress.json");
        var run = CliInProcess.Run("compress", RepositoryFiles.Model("mlp.onnx"), "-o", Path.Combine(Folder, "out.onnx"), "--method", "sensitivity", "--keep-params", "0.3",
            "--calibration", RepositoryFiles.Data("fmnist-train-512-images-idx3-ubyte.gz"), "--normalize", RepositoryFiles.Normalization,
            "--validate", RepositoryFiles.TestImages, "--labels", RepositoryFiles.TestLabels, "--report", report, "--quiet");
        Assert.That(run.Exit, Is.EqualTo(0), run.Stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var compression = json.RootElement.GetProperty("compression");
        Assert.That(compression.GetProperty("method").GetString(), Is.EqualTo("sensitivity"));
        Assert.That(compression.GetProperty("keptFraction").GetDouble(), Is.LessThanOrEqualTo(0.3 + 1e-9));
        var output = json.RootElement.GetProperty("comparison").GetProperty("outputs")[0];
        var drop = output.GetProperty("originalAccuracy").GetDouble() - output.GetProperty("compressedAccuracy").GetDouble();
        TestContext.Out.WriteLine($"mlp at 30% of the parameters by measured damage: accuracy drop {drop * 100:0.00} points");
        Assert.That(drop, Is.LessThan(0.015), "within 1.5 points of the original on the 2,000 test images");
    }

    [Test]
    public void A_calibrated_sweep_measures_sensitivity_once_for_the_sensitivity_method()
    {
        var report = Path.Combine(Folder, "sweep.json");
        var run = CliInProcess.Run("sweep", RepositoryFiles.Model("mlp.onnx"), "--data", RepositoryFiles.TestImages, "--labels", RepositoryFiles.TestLabels, "--limit", "64",
            "--keep", "0.3", "--methods", "global-energy,sensitivity", "--calibration", RepositoryFiles.Data("fmnist-train-512-images-idx3-ubyte.gz"),
            "--normalize", RepositoryFiles.Normalization, "--report", report, "--quiet");
        Assert.That(run.Exit, Is.EqualTo(0), run.Stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var points = json.RootElement.GetProperty("sweep").GetProperty("points").EnumerateArray().ToList();
        Assert.That(points.Select(p => p.GetProperty("method").GetString()), Is.EqualTo(new[] { "global-energy", "sensitivity" }));
        Assert.That(points.Select(p => p.GetProperty("error").ValueKind), Is.All.EqualTo(JsonValueKind.Null), run.Stdout);
    }

    [Test]
    public void Method_sensitivity_without_calibration_is_a_usage_error()
    {
        var run = CliInProcess.Run("compress", RepositoryFiles.Model("mlp.onnx"), "-o", Path.Combine(Folder, "out.onnx"), "--method", "sensitivity");
        Assert.That(run.Exit, Is.EqualTo(2), run.Stderr);
        Assert.That(run.Stderr, Does.Contain("--calibration"));
    }

    /// <summary>The numbers in scientific notation at the end of a table row.</summary>
    private static List<double> Damages(string row) => row.Split(' ', '|').Where(c => c.Contains('e') && double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        .Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToList();
}
