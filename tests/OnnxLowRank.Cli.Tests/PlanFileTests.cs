using System.Text.Json;
using System.Text.Json.Nodes;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// compress --plan-out writes the chosen sizes; --plan re-applies them to the same model without allocating and rewrites
/// the same bytes; a plan that does not fit the model is a usage error naming the layer.
/// </summary>
public class PlanFileTests : ScratchFolderTest
{
    [TestCase("mlp.onnx", "alds", "0.5")]
    [TestCase("resnet.onnx", "global-energy", "0.4")]
    public void A_plan_written_and_re_applied_gives_the_same_model_byte_for_byte(string modelFile, string method, string keep)
    {
        var model = RepositoryFiles.Model(modelFile);
        var first = Path.Combine(Folder, "first.onnx");
        var again = Path.Combine(Folder, "again.onnx");
        var plan = Path.Combine(Folder, "plan.json");

        var (exit, stderr) = Cli("compress", model, "-o", first, "--method", method, "--keep-params", keep, "--plan-out", plan);
        Assert.That(exit, Is.Zero, stderr);
        var layers = JsonNode.Parse(File.ReadAllText(plan))!["layers"]!.AsArray();
        Assert.That(layers, Is.Not.Empty);
        Assert.That(layers.Select(l => l!["rank"]!.GetValue<int>()), Is.All.GreaterThan(0));

        (exit, stderr) = Cli("compress", model, "-o", again, "--plan", plan);
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(File.ReadAllBytes(again), Is.EqualTo(File.ReadAllBytes(first)));
    }

    [Test]
    public void An_edited_rank_is_applied_as_written()
    {
        var model = RepositoryFiles.Model("mlp.onnx");
        var plan = Path.Combine(Folder, "plan.json");
        Assert.That(Cli("compress", model, "-o", Path.Combine(Folder, "a.onnx"), "--plan-out", plan).Exit, Is.Zero);
        var document = JsonNode.Parse(File.ReadAllText(plan))!;
        var layer = document["layers"]![0]!;
        var name = layer["name"]!.GetValue<string>();
        layer["rank"] = 3;
        File.WriteAllText(plan, document.ToJsonString());
        var report = Path.Combine(Folder, "b.json");

        var (exit, stderr) = Cli("compress", model, "-o", Path.Combine(Folder, "b.onnx"), "--plan", plan, "--report", report);

        Assert.That(exit, Is.Zero, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var rewritten = json.RootElement.GetProperty("compression").GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == name);
        Assert.That(rewritten.GetProperty("rank").GetInt32(), Is.EqualTo(3));
    }

    [TestCase("name", "\"nowhere\"", "no compressible layer")]
    [TestCase("weightShape", "[1, 2]", "where the model has")]
    [TestCase("rank", "100000", "above the full rank")]
    [TestCase("sliceCount", "7", "not a slice count")]
    public void A_plan_that_does_not_fit_the_model_is_a_usage_error_naming_the_layer(string field, string value, string reason)
    {
        var model = RepositoryFiles.Model("mlp.onnx");
        var plan = Path.Combine(Folder, "plan.json");
        Assert.That(Cli("compress", model, "-o", Path.Combine(Folder, "a.onnx"), "--plan-out", plan).Exit, Is.Zero);
        var document = JsonNode.Parse(File.ReadAllText(plan))!;
        document["layers"]![0]![field] = JsonNode.Parse(value);
        File.WriteAllText(plan, document.ToJsonString());
        var output = Path.Combine(Folder, "b.onnx");

        var (exit, stderr) = Cli("compress", model, "-o", output, "--plan", plan);

        Assert.That(exit, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(plan).And.Contain(reason));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void A_plan_with_a_budget_or_a_file_that_is_no_plan_is_a_usage_error()
    {
        var model = RepositoryFiles.Model("mlp.onnx");
        var plan = Path.Combine(Folder, "plan.json");
        File.WriteAllText(plan, "{\"not\": \"a plan\"}");
        Assert.That(Cli("compress", model, "-o", Path.Combine(Folder, "x.onnx"), "--plan", plan).Exit, Is.EqualTo(2));
        Assert.That(Cli("compress", model, "-o", Path.Combine(Folder, "x.onnx"), "--plan", plan, "--keep-params", "0.5").Stderr, Does.Contain("drop --keep-params"));
    }

    private static (int Exit, string Stderr) Cli(params string[] args)
    {
        var run = CliInProcess.Run(args);
        return (run.Exit, run.Stderr);
    }
}
