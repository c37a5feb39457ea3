using System.Text.Json;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// compress with a gate and no keep option: the search for the smallest passing keep fraction, its exit-1 path when even
/// the highest fraction fails, the warning when validation samples are calibration samples too, and the options it refuses.
/// </summary>
public class GateSearchCommandTests : ScratchFolderTest
{
    private static string Mlp => RepositoryFiles.Model("mlp.onnx");

    private static string Train => RepositoryFiles.Data("fmnist-train-512-images-idx3-ubyte.gz");

    private static string[] TestSlice(int offset, int limit) =>
        ["--labels", RepositoryFiles.TestLabels, "--normalize", RepositoryFiles.Normalization, "--offset", offset.ToString(), "--limit", limit.ToString()];

    [Test]
    public void The_search_writes_the_smallest_passing_step_and_diff_measures_on_it_the_drop_the_search_reported()
    {
        var output = Path.Combine(Folder, "mlp-searched.onnx");
        var report = Path.Combine(Folder, "search.json");
        var run = CliInProcess.Run(["compress", Mlp, "-o", output, "--calibration", Train, "--calibration-limit", "256",
            "--validate", RepositoryFiles.TestImages, .. TestSlice(0, 300), "--max-accuracy-drop", "0.5", "--report", report]);
        Assert.That(run.Exit, Is.EqualTo(0), run.ToString());
        Assert.That(run.Stderr, Does.Contain("search step 0: keep 0.95"));
        Assert.That(run.Stderr, Does.Not.Contain("warning"), "calibration on training images, validation on test images");

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var search = json.RootElement.GetProperty("search");
        var steps = search.GetProperty("steps").EnumerateArray().ToList();
        Assert.That(search.GetProperty("found").GetBoolean(), Is.True);
        Assert.That(steps, Has.Count.InRange(2, 8), "0.95, then at most 7 halvings of [0.05, 0.95] to 0.0125");
        Assert.That(steps.Count(s => s.GetProperty("step").GetInt32() >= 0), Is.EqualTo(run.Stderr.Split('\n').Count(l => l.StartsWith("search step ", StringComparison.Ordinal))),
            "one printed line per step");
        var chosen = steps.Single(s => s.GetProperty("chosen").GetBoolean());
        var passing = steps.Where(s => s.GetProperty("passed").GetBoolean()).Select(s => s.GetProperty("keepFraction").GetDouble()).ToList();
        Assert.That(chosen.GetProperty("passed").GetBoolean(), Is.True);
        Assert.That(chosen.GetProperty("keepFraction").GetDouble(), Is.EqualTo(passing.Min()).And.EqualTo(search.GetProperty("chosenKeepFraction").GetDouble()));
        Assert.That(json.RootElement.GetProperty("compression").GetProperty("keepFraction").GetDouble(), Is.EqualTo(passing.Min()));
        Assert.That(json.RootElement.GetProperty("calibrationOverlap").GetProperty("sharedSamples").GetInt32(), Is.EqualTo(0));
        var searchedDrop = chosen.GetProperty("gates")[0].GetProperty("actual").GetDouble();

        // The written file, compared again by diff on the same slice: the drop the search saw is the file's.
        var diffReport = Path.Combine(Folder, "diff.json");
        var diff = CliInProcess.Run(["diff", Mlp, output, "--data", RepositoryFiles.TestImages, .. TestSlice(0, 300), "--max-accuracy-drop", "0.5", "--report", diffReport, "--quiet"]);
        Assert.That(diff.Exit, Is.EqualTo(0), diff.ToString());
        using var diffJson = JsonDocument.Parse(File.ReadAllText(diffReport));
        Assert.That(diffJson.RootElement.GetProperty("comparison").GetProperty("outputs")[0].GetProperty("accuracyDropPoints").GetDouble(), Is.EqualTo(searchedDrop).Within(1e-9));
    }

    [Test]
    public void When_even_the_highest_fraction_fails_its_model_is_written_and_the_exit_code_is_one()
    {
        var output = Path.Combine(Folder, "mlp-95.onnx");
        var report = Path.Combine(Folder, "search.json");
        // On random inputs the MLP's classes are near ties: keeping 95% of its weights already changes about 5% of its answers.
        var run = CliInProcess.Run("compress", Mlp, "-o", output, "--validate", "random", "--limit", "256", "--min-agreement", "1", "--report", report);
        Assert.That(run.Exit, Is.EqualTo(1), run.ToString());
        Assert.That(run.Stderr, Does.Contain("gate failed: top-1 agreement"));
        Assert.That(File.Exists(output), Is.True, "the best the search found is still written");
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var search = json.RootElement.GetProperty("search");
        Assert.That(search.GetProperty("found").GetBoolean(), Is.False);
        Assert.That(search.GetProperty("steps").GetArrayLength(), Is.EqualTo(1), "nothing below a failing 0.95 is tried");
        Assert.That(search.GetProperty("chosenKeepFraction").GetDouble(), Is.EqualTo(0.95));
        Assert.That(json.RootElement.GetProperty("passed").GetBoolean(), Is.False);
        Assert.That(json.RootElement.GetProperty("compression").GetProperty("keepFraction").GetDouble(), Is.EqualTo(0.95));
    }

    [Test]
    public void Validation_samples_that_are_calibration_samples_too_are_counted_and_warned_of_and_a_disjoint_slice_is_not()
    {
        (string Stderr, JsonElement Overlap) Compress(int offset)
        {
            var report = Path.Combine(Folder, $"overlap-{offset}.json");
            var run = CliInProcess.Run(["compress", Mlp, "-o", Path.Combine(Folder, $"mlp-{offset}.onnx"), "--keep-params", "0.5",
                "--calibration", RepositoryFiles.TestImages, "--calibration-limit", "100", "--validate", RepositoryFiles.TestImages, .. TestSlice(offset, 100), "--report", report]);
            Assert.That(run.Exit, Is.EqualTo(0), run.ToString());
            using var json = JsonDocument.Parse(File.ReadAllText(report));
            return (run.Stderr, json.RootElement.GetProperty("calibrationOverlap").Clone());
        }

        var (sharing, shared) = Compress(offset: 60);
        Assert.That(sharing, Does.Contain("warning: 40 of the 100 validation samples are calibration samples too"));
        Assert.That(shared.GetProperty("sharedSamples").GetInt32(), Is.EqualTo(40));
        Assert.That(shared.GetProperty("calibrationSamples").GetInt32(), Is.EqualTo(100));
        var (apart, disjoint) = Compress(offset: 100);
        Assert.That(apart, Does.Not.Contain("warning"));
        Assert.That(disjoint.GetProperty("sharedSamples").GetInt32(), Is.EqualTo(0));
    }

    [Test]
    public void A_cosine_gate_searches_a_token_model_on_its_mean_pooled_embeddings()
    {
        var model = TokenModel.WriteModel(Folder);
        var vocab = TokenModel.WriteVocabulary(Folder);
        var train = TokenModel.WriteLines(Folder, "train.txt", 40, seed: 1);
        var test = TokenModel.WriteLines(Folder, "test.txt", 23, seed: 2);
        var report = Path.Combine(Folder, "search.json");
        var run = CliInProcess.Run("compress", model, "-o", Path.Combine(Folder, "searched.onnx"), "--calibration", train, "--validate", test,
            "--tokenizer", vocab, "--max-tokens", "16", "--batch", "5", "--min-cosine", "0.99", "--report", report);
        Assert.That(run.Exit, Is.EqualTo(0), run.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var chosen = json.RootElement.GetProperty("search").GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("chosen").GetBoolean());
        var gate = chosen.GetProperty("gates")[0];
        Assert.That(gate.GetProperty("name").GetString(), Is.EqualTo("min-cosine"));
        Assert.That(gate.GetProperty("actual").GetDouble(), Is.GreaterThanOrEqualTo(0.99));
        Assert.That(json.RootElement.GetProperty("comparison").GetProperty("outputs")[0].GetProperty("tokens").GetProperty("meanPooledCosine").GetDouble(),
            Is.EqualTo(gate.GetProperty("actual").GetDouble()), "the report's comparison is the chosen step's");
    }

    [Test]
    public void Search_options_with_a_keep_option_a_plan_or_no_gate_and_a_cosine_gate_without_embeddings_exit_with_two()
    {
        var output = Path.Combine(Folder, "x.onnx");
        string[] gated = ["--validate", "random", "--limit", "8", "--min-agreement", "0.5"];
        void Refused(string expected, params string[] args)
        {
            var run = CliInProcess.Run(["compress", Mlp, "-o", output, .. args]);
            Assert.That(run.Exit, Is.EqualTo(2), run.ToString());
            Assert.That(run.Stderr, Does.Contain(expected), run.ToString());
        }

        Refused("gives one", [.. gated, "--budget", "flops", "--keep-params", "0.5"]);
        Refused("nothing to search", [.. gated, "--search-low", "0.2", "--plan", Path.Combine(Folder, "plan.json")]);
        Refused("needs a gate", "--budget", "flops");
        Refused("--search-low must lie", [.. gated, "--search-low", "0.96"]);
        Refused("--search-tolerance must lie", [.. gated, "--search-tolerance", "0"]);
        Refused("'energy' not recognized", [.. gated, "--budget", "energy"]);
        Refused("no keep fraction to search", [.. gated, "--method", "arsvd"]);
        Assert.That(File.Exists(output), Is.False, "refused before anything is written");
        // The search measures before it writes; the MLP's logits hold no embeddings to take a cosine of.
        Refused("cosine gate needs an embedding output", "--validate", "random", "--limit", "8", "--min-cosine", "0.9");
        Assert.That(File.Exists(output), Is.False);
    }
}
