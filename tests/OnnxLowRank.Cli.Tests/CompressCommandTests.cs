using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Onnx;

namespace OnnxLowRank.Cli.Tests;

public class CompressCommandTests : ScratchFolderTest
{
    [Test]
    public void Compress_meets_the_budget_and_validates_with_the_accuracy_onnx_runtime_gives_the_saved_model()
    {
        var output = Path.Combine(Folder, "mlp-half.onnx");
        var report = Path.Combine(Folder, "compress.json");
        var run = CliProcess.Run("compress", RepositoryFiles.Model("mlp.onnx"), "-o", output, "--keep-params", "0.5",
            "--validate", RepositoryFiles.TestImages, "--labels", RepositoryFiles.TestLabels, "--normalize", RepositoryFiles.Normalization,
            "--limit", "500", "--batch", "100", "--max-accuracy-drop", "5", "--report", report);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(File.Exists(output), Is.True);

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var compression = json.RootElement.GetProperty("compression");
        var before = compression.GetProperty("budgetParametersBefore").GetInt64();
        var after = compression.GetProperty("budgetParametersAfter").GetInt64();
        Assert.That(after, Is.LessThanOrEqualTo(before / 2), "the budget is never exceeded");
        Assert.That(after, Is.GreaterThan(before * 0.49), "and met within 1%");
        Assert.That(compression.GetProperty("layers").GetArrayLength(), Is.GreaterThan(0));

        Assert.That(json.RootElement.GetProperty("compressed").GetProperty("parameters").GetInt64(),
            Is.LessThan(json.RootElement.GetProperty("original").GetProperty("parameters").GetInt64()));

        var accuracy = json.RootElement.GetProperty("comparison").GetProperty("outputs")[0].GetProperty("compressedAccuracy").GetDouble();
        Assert.That(accuracy, Is.EqualTo(ReferenceRun.Accuracy(output, batch: 100, limit: 500)));
        Assert.That(json.RootElement.GetProperty("gates")[0].GetProperty("passed").GetBoolean(), Is.True);
    }

    [Test]
    public void Calibration_data_makes_the_output_error_smaller_than_weights_alone_at_the_same_budget()
    {
        double OutputError(params string[] extra)
        {
            var report = Path.Combine(Folder, $"{Guid.NewGuid():N}.json");
            var run = CliProcess.Run(["compress", RepositoryFiles.Model("mlp.onnx"), "-o", Path.Combine(Folder, $"{Guid.NewGuid():N}.onnx"), "--keep-params", "0.3",
                "--validate", RepositoryFiles.TestImages, "--normalize", RepositoryFiles.Normalization, "--limit", "500", "--batch", "100", "--report", report, "--quiet", .. extra]);
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            using var json = JsonDocument.Parse(File.ReadAllText(report));
            var compression = json.RootElement.GetProperty("compression");
            if (extra.Length > 0)
            {
                Assert.That(compression.GetProperty("calibration").GetProperty("samples").GetInt32(), Is.EqualTo(512));
                Assert.That(compression.GetProperty("method").GetString(), Is.EqualTo("sensitivity"), "auto picks sensitivity with calibration data");
            }
            else Assert.That(compression.GetProperty("calibration").ValueKind, Is.EqualTo(JsonValueKind.Null));
            return json.RootElement.GetProperty("comparison").GetProperty("outputs")[0].GetProperty("relativeL2Error").GetDouble();
        }

        var weightsOnly = OutputError();
        // The whole 512-image slice: with half of it the MLP's input statistics are too thin to beat weights alone (measured).
        var calibrated = OutputError("--calibration", RepositoryFiles.Data("fmnist-train-512-images-idx3-ubyte.gz"));
        Assert.That(calibrated, Is.LessThan(weightsOnly));
    }

    [Test]
    public void Calibration_offset_and_bias_correction_change_the_factors()
    {
        var images = RepositoryFiles.Data("fmnist-train-512-images-idx3-ubyte.gz");
        byte[] Compressed(string offset, params string[] extra)
        {
            var output = Path.Combine(Folder, $"offset-{offset}{string.Concat(extra)}.onnx");
            var run = CliInProcess.Run(["compress", RepositoryFiles.Model("mlp.onnx"), "-o", output, "--keep-params", "0.5", "--calibration", images,
                "--calibration-limit", "128", "--calibration-offset", offset, "--normalize", RepositoryFiles.Normalization, "--quiet", .. extra]);
            Assert.That(run.Exit, Is.EqualTo(0), run.Stderr);
            return File.ReadAllBytes(output);
        }

        var first = Compressed("0");
        Assert.That(Compressed("0", "--no-bias-correction"), Is.Not.EqualTo(first), "without bias correction, biases stay as they were");
        Assert.That(Compressed("0"), Is.EqualTo(first), "the same slice gives the same model");
        Assert.That(Compressed("256"), Is.Not.EqualTo(first), "another slice, other statistics");
        var past = CliInProcess.Run("compress", RepositoryFiles.Model("mlp.onnx"), "-o", Path.Combine(Folder, "past.onnx"), "--keep-params", "0.5",
            "--calibration", images, "--calibration-offset", "512", "--normalize", RepositoryFiles.Normalization);
        Assert.That(past.Exit, Is.EqualTo(2), past.Stderr);
        Assert.That(past.Stderr, Does.Contain("calibration"));
    }

    /// <summary>
    /// The MLP's layers never have enough vectors per column to refit (one per sample), so the causal model's token rows
    /// show the refit: without it, every layer is factorized for the original model's inputs.
    /// </summary>
    [Test]
    public void No_refit_leaves_the_sequential_refit_out()
    {
        byte[] Compressed(params string[] extra)
        {
            var output = Path.Combine(Folder, $"gpt{string.Concat(extra)}.onnx");
            var run = CliInProcess.Run(["compress", RepositoryFiles.Model("causal/tiny-gpt.onnx"), "-o", output, "--keep-params", "0.5",
                "--calibration", RepositoryFiles.Data("text/calibration.txt"), "--calibration-limit", "256",
                "--tokenizer", RepositoryFiles.Model("causal/vocab.txt"), "--max-tokens", "64", "--quiet", .. extra]);
            Assert.That(run.Exit, Is.EqualTo(0), run.Stderr);
            return File.ReadAllBytes(output);
        }

        Assert.That(Compressed("--no-refit"), Is.Not.EqualTo(Compressed()));
    }

    [Test]
    public void Conv_ranks_are_multiples_of_the_conv_rank_multiple_by_default_under_a_flop_budget_and_one_lets_every_rank_through()
    {
        int[] Ranks(params string[] extra)
        {
            var report = Path.Combine(Folder, $"{Guid.NewGuid():N}.json");
            var budget = extra.Contains("--keep-params") ? [] : new[] { "--keep-flops", "0.5" };
            var run = CliProcess.Run(["compress", RepositoryFiles.Model("resnet.onnx"), "-o", Path.Combine(Folder, $"{Guid.NewGuid():N}.onnx"),
                "--method", "alds", "--report", report, "--quiet", .. budget, .. extra]);
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            using var json = JsonDocument.Parse(File.ReadAllText(report));
            return json.RootElement.GetProperty("compression").GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("rank").GetInt32()).ToArray();
        }

        Assert.That(Ranks(), Is.Not.Empty.And.All.Matches<int>(r => r % 16 == 0), "16 by default");
        Assert.That(Ranks("--conv-rank-multiple", "8"), Is.Not.Empty.And.All.Matches<int>(r => r % 8 == 0));
        Assert.That(Ranks("--conv-rank-multiple", "1"), Has.Some.Matches<int>(r => r % 8 != 0));
        Assert.That(Ranks("--keep-params", "0.5"), Has.Some.Matches<int>(r => r % 8 != 0), "any rank by default under a parameter budget");
        Assert.That(Ranks("--keep-params", "0.5", "--conv-rank-multiple", "16"), Is.Not.Empty.And.All.Matches<int>(r => r % 16 == 0));
        var zero = CliProcess.Run("compress", RepositoryFiles.Model("resnet.onnx"), "-o", Path.Combine(Folder, "x.onnx"), "--conv-rank-multiple", "0");
        Assert.That(zero.ExitCode, Is.EqualTo(2), zero.ToString());
    }

    [Test]
    public void Two_budgets_or_a_gate_without_validation_data_exit_with_two()
    {
        var mlp = RepositoryFiles.Model("mlp.onnx");
        var output = Path.Combine(Folder, "x.onnx");
        var both = CliProcess.Run("compress", mlp, "-o", output, "--keep-params", "0.5", "--energy", "0.9");
        Assert.That(both.ExitCode, Is.EqualTo(2), both.ToString());
        Assert.That(both.Stderr, Does.Contain("one budget"));
        var gate = CliProcess.Run("compress", mlp, "-o", output, "--min-agreement", "0.9");
        Assert.That(gate.ExitCode, Is.EqualTo(2), gate.ToString());
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void An_unreachable_budget_is_a_usage_error_with_advice()
    {
        var run = CliProcess.Run("compress", RepositoryFiles.Model("mlp.onnx"), "-o", Path.Combine(Folder, "x.onnx"), "--keep-params", "0.0001");
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr, Does.Contain("not reachable"));
    }

    [Test]
    public void Analyze_json_lists_every_gemm_with_ranks_that_a_dense_svd_confirms()
    {
        var mlp = RepositoryFiles.Model("mlp.onnx");
        var run = CliProcess.Run("analyze", mlp, "--json");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        var layers = json.RootElement.GetProperty("analysis").GetProperty("layers").EnumerateArray().ToList();

        var model = OnnxModelFile.Load(mlp);
        var weighted = model.Graph.Node.Where(n => n.OpType is "Gemm" or "MatMul").ToList();
        Assert.That(layers, Has.Count.EqualTo(weighted.Count));

        // The smallest layer's rank at 95% energy, from MathNet's dense SVD of its stored weight.
        var smallest = layers.OrderBy(l => l.GetProperty("parameters").GetInt64()).First();
        var shape = smallest.GetProperty("weightShape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var node = weighted.Single(n => n.Name == smallest.GetProperty("name").GetString());
        var tensor = model.Graph.Initializer.Single(t => t.Name == node.Input[1]);
        var values = tensor.RawData.Length > 0
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
            : tensor.FloatData.ToArray();
        var matrix = Matrix<double>.Build.Dense(shape[0], shape[1], (r, c) => values[(r * shape[1]) + c]);
        var energy = matrix.Svd(computeVectors: false).S.Select(s => s * s).ToArray();
        var total = energy.Sum();
        var expected = 1;
        for (var kept = energy[0]; kept < 0.95 * total; kept += energy[expected++]) { }
        var reported = smallest.GetProperty("ranksAtEnergy").EnumerateArray().Single(r => r.GetProperty("share").GetDouble() == 0.95).GetProperty("rank").GetInt32();
        Assert.That(reported, Is.EqualTo(expected));
    }

    [Test]
    public void Sweep_gives_a_point_per_method_and_fraction_with_error_falling_as_more_is_kept()
    {
        var report = Path.Combine(Folder, "sweep.json");
        var run = CliProcess.Run("sweep", RepositoryFiles.Model("mlp.onnx"), "--data", RepositoryFiles.TestImages, "--labels", RepositoryFiles.TestLabels,
            "--normalize", RepositoryFiles.Normalization, "--limit", "300", "--batch", "100", "--keep", "0.2,0.6", "--methods", "alds,uniform", "--report", report, "--quiet");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var points = json.RootElement.GetProperty("sweep").GetProperty("points").EnumerateArray().ToList();
        Assert.That(points.Select(p => (p.GetProperty("method").GetString(), p.GetProperty("keepFraction").GetDouble())),
            Is.EqualTo(new[] { ("alds", 0.2), ("alds", 0.6), ("uniform", 0.2), ("uniform", 0.6) }));
        foreach (var method in new[] { "alds", "uniform" })
        {
            var pair = points.Where(p => p.GetProperty("method").GetString() == method).ToList();
            Assert.That(pair[1].GetProperty("relativeL2Error").GetDouble(), Is.LessThan(pair[0].GetProperty("relativeL2Error").GetDouble()), method);
            Assert.That(pair[0].GetProperty("keptFraction").GetDouble(), Is.LessThanOrEqualTo(0.2));
        }
    }
}
