using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// A model whose symbolic time axis cannot be 1 (<see cref="ReflectPadModel"/>): a parameter budget needs no run, so it
/// compresses and is published after loading alone, saying which dimension to size; where a run is needed (FLOP budget,
/// random data) the failure names the dimension and --dim, exit 2; at a size the user gave, the engine's failure stays
/// exit 3. Driven in process, as a user's command line.
/// </summary>
public class DynamicDimensionTests : ScratchFolderTest
{
    private const string NotRun = "not run: dimension T has no size; pass --dim T=SIZE";

    [Test]
    public void A_parameter_budget_compresses_without_a_run_and_says_the_output_was_not_run()
    {
        var model = ReflectPadModel.Write(Folder);
        var before = File.ReadAllBytes(model);
        var output = Path.Combine(Folder, "out.onnx");
        var report = Path.Combine(Folder, "out.json");

        var (exit, stderr) = Cli("compress", model, "-o", output, "--keep-params", "0.7", "--report", report);

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stderr, Does.Contain(NotRun));
        Assert.That(stderr, Does.Contain($"wrote {output}"));
        Assert.That(File.ReadAllBytes(model), Is.EqualTo(before), "the input is never modified");
        using (var session = OnnxRuntimeSessions.Open(output)) Assert.That(session.InputNames, Is.EqualTo(new[] { ReflectPadModel.Input }));
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.That(json.RootElement.GetProperty("notRunReason").GetString(), Is.EqualTo(NotRun["not run: ".Length..]));
        Assert.That(json.RootElement.GetProperty("compression").GetProperty("layers").GetArrayLength(), Is.GreaterThan(0), "a layer was factorized");
    }

    [Test]
    public void With_the_time_axis_sized_the_output_is_verified_by_a_run_and_computes_what_the_original_does()
    {
        var model = ReflectPadModel.Write(Folder);
        var output = Path.Combine(Folder, "out.onnx");

        var (exit, stderr) = Cli("compress", model, "-o", output, "--keep-params", "0.9", "--dim", "T=400");

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stderr, Does.Not.Contain("not run"));
        var audio = Enumerable.Range(0, 400).Select(i => (float)Math.Sin(i * 0.07) + (float)Math.Cos(i * 0.31)).ToArray();
        var expected = Scores(model, audio);
        var actual = Scores(output, audio);
        var error = Math.Sqrt(expected.Zip(actual, (a, b) => (a - b) * (a - b)).Sum() / expected.Sum(a => a * a));
        Assert.That(actual, Is.Not.EqualTo(expected), "the layers were factorized");
        Assert.That(error, Is.LessThan(0.2), "relative L2 error of the scores against the original in ONNX Runtime");
    }

    [Test]
    public void A_flop_budget_needs_a_run_so_an_unsized_time_axis_is_a_usage_error_naming_it()
    {
        var model = ReflectPadModel.Write(Folder);
        var output = Path.Combine(Folder, "out.onnx");

        var (exit, stderr) = Cli("compress", model, "-o", output, "--keep-flops", "0.5");

        Assert.That(exit, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("dimension T at 1").And.Contain("--dim T=SIZE"));
        Assert.That(File.Exists(output), Is.False, "nothing written");
        Assert.That(Cli("compress", model, "-o", output, "--keep-flops", "0.5", "--dim", "T=400").Exit, Is.Zero);
    }

    [Test]
    public void At_a_size_the_user_gave_an_engine_failure_stays_a_runtime_failure() =>
        Assert.That(Cli("compress", ReflectPadModel.Write(Folder), "-o", Path.Combine(Folder, "out.onnx"), "--keep-flops", "0.5", "--dim", "T=1").Exit, Is.EqualTo(3));

    [Test]
    public void Random_data_at_an_unsized_time_axis_names_it_and_shape_is_the_same_option()
    {
        var model = ReflectPadModel.Write(Folder);

        var (exit, stderr) = Cli("diff", model, model, "--data", "random", "--limit", "4");
        Assert.That(exit, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("--dim T=SIZE"));
        var compress = Cli("compress", model, "-o", Path.Combine(Folder, "v.onnx"), "--keep-params", "0.7", "--validate", "random", "--limit", "4");
        Assert.That(compress.Exit, Is.EqualTo(2), compress.Stderr);
        Assert.That(compress.Stderr, Does.Contain("--dim T=SIZE"));

        Assert.That(Cli("diff", model, model, "--data", "random", "--limit", "4", "--shape", "T=64").Exit, Is.Zero);
        Assert.That(Cli("diff", model, model, "--data", "random", "--limit", "4", "--dim", "audio:2=64").Exit, Is.Zero);
    }

    [Test]
    public void Analyze_leaves_flops_unknown_at_an_unsized_time_axis_and_counts_them_at_a_given_size()
    {
        var model = ReflectPadModel.Write(Folder);

        Assert.That(Conv2Flops(model), Is.Null, "not a count at a size nobody asked for");
        // Counted by hand: conv1 keeps the padded length 404 - 5 + 1 = 400; conv2 (kernel 3, stride 2) gives
        // (400 - 3) / 2 + 1 = 199 positions of 48 outputs, each 32 x 3 multiply-accumulates.
        Assert.That(Conv2Flops(model, "--dim", "T=400"), Is.EqualTo(48L * 32 * 3 * 199));
    }

    private long? Conv2Flops(string model, params string[] extra)
    {
        var run = CliInProcess.Run(["analyze", model, "--json", .. extra]);
        Assert.That(run.Exit, Is.Zero, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var layers = json.RootElement.GetProperty("analysis").GetProperty("layers").EnumerateArray()
            .Concat(json.RootElement.GetProperty("analysis").GetProperty("wholeLayers").EnumerateArray());
        var flops = layers.Single(l => l.GetProperty("name").GetString() == "conv2").GetProperty("flops");
        return flops.ValueKind == JsonValueKind.Null ? null : flops.GetInt64();
    }

    private static float[] Scores(string path, float[] audio)
    {
        using var session = OnnxRuntimeSessions.Open(path);
        using var input = OrtValue.CreateTensorValueFromMemory(audio, [1, 1, audio.Length]);
        using var outputs = OnnxRuntimeSessions.Run(session, [ReflectPadModel.Input], [input], [ReflectPadModel.Output]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static (int Exit, string Stderr) Cli(params string[] args)
    {
        var run = CliInProcess.Run(args);
        return (run.Exit, run.Stderr);
    }
}
