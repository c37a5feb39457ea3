using System.Text.Json;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// Text data end to end on a token model (<see cref="TokenModel"/>): calibration and validation through the WordPiece
/// tokenizer, diff and sweep on text, random token ids, and the bad inputs that end in exit 2 with one error line.
/// </summary>
public class TextDataCommandTests : ScratchFolderTest
{
    [Test]
    public void Compress_calibrates_and_validates_on_text_through_the_tokenizer()
    {
        var model = TokenModel.WriteModel(Folder);
        var vocab = TokenModel.WriteVocabulary(Folder);
        var train = TokenModel.WriteLines(Folder, "train.txt", 40, seed: 1);
        var test = TokenModel.WriteLines(Folder, "test.txt", 23, seed: 2);
        var output = Path.Combine(Folder, "out.onnx");
        var report = Path.Combine(Folder, "compress.json");

        var run = CliProcess.Run("compress", model, "-o", output, "--keep-params", "0.5", "--calibration", train, "--validate", test,
            "--tokenizer", vocab, "--max-tokens", "16", "--batch", "5", "--report", report, "--quiet");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.That(json.RootElement.GetProperty("compression").GetProperty("method").GetString(), Is.EqualTo("sensitivity"), "auto with calibration data measures every layer");
        var comparison = json.RootElement.GetProperty("comparison");
        Assert.That(comparison.GetProperty("samples").GetInt32(), Is.EqualTo(23), "one sample a line");
        var hidden = comparison.GetProperty("outputs")[0];
        Assert.That(hidden.GetProperty("name").GetString(), Is.EqualTo("hidden"));
        Assert.That(hidden.GetProperty("cosineSimilarity").GetDouble(), Is.GreaterThan(0.5));
        var tokens = hidden.GetProperty("tokens");
        Assert.That(tokens.GetProperty("kind").GetString(), Is.EqualTo("embedding"), "32 wide, not the vocabulary's 305");
        Assert.That(tokens.GetProperty("meanPooledCosine").GetDouble(), Is.InRange(0.5, 1.0));
        Assert.That(tokens.GetProperty("tokenCosine").GetDouble(), Is.InRange(0.5, 1.0));

        var analyze = CliProcess.Run("analyze", model, "--calibration", train, "--tokenizer", vocab, "--json");
        Assert.That(analyze.ExitCode, Is.EqualTo(0), analyze.ToString());
    }

    [Test]
    public void Diff_of_a_model_with_itself_on_text_agrees_fully_over_every_line()
    {
        var model = TokenModel.WriteModel(Folder);
        var vocab = TokenModel.WriteVocabulary(Folder);
        var lines = TokenModel.WriteLines(Folder, "lines.txt", 17, seed: 3);
        var report = Path.Combine(Folder, "diff.json");

        var run = CliProcess.Run("diff", model, model, "--data", lines, "--tokenizer", vocab, "--batch", "4", "--report", report, "--quiet");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var comparison = json.RootElement.GetProperty("comparison");
        Assert.That(comparison.GetProperty("samples").GetInt32(), Is.EqualTo(17));
        var hidden = comparison.GetProperty("outputs")[0];
        Assert.That(hidden.GetProperty("maxAbsoluteError").GetDouble(), Is.Zero);
        Assert.That(hidden.GetProperty("topOneAgreement").ValueKind, Is.EqualTo(JsonValueKind.Null), "an embedding has no top-1");
        var tokens = hidden.GetProperty("tokens");
        Assert.That(tokens.GetProperty("meanPooledCosine").GetDouble(), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(tokens.GetProperty("tokenCosine").GetDouble(), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(tokens.GetProperty("tokens").GetInt64(), Is.GreaterThanOrEqualTo(17 * 3), "every line has at least 3 real tokens");
    }

    [Test]
    public void Sweep_on_text_and_diff_on_random_token_ids_run()
    {
        var model = TokenModel.WriteModel(Folder);
        var vocab = TokenModel.WriteVocabulary(Folder);
        var lines = TokenModel.WriteLines(Folder, "lines.txt", 12, seed: 4);

        var sweep = CliProcess.Run("sweep", model, "--data", lines, "--tokenizer", vocab, "--keep", "0.5", "--methods", "alds", "--quiet");
        Assert.That(sweep.ExitCode, Is.EqualTo(0), sweep.ToString());
        var random = CliProcess.Run("diff", model, model, "--data", "random", "--shape", "sequence=12", "--limit", "8", "--quiet");
        Assert.That(random.ExitCode, Is.EqualTo(0), random.ToString());
    }

    [Test]
    public void Text_without_a_tokenizer_is_a_usage_error()
    {
        var model = TokenModel.WriteModel(Folder);
        var lines = TokenModel.WriteLines(Folder, "lines.txt", 5, seed: 5);
        AssertOneError(CliProcess.Run("diff", model, model, "--data", lines), "--tokenizer");
    }

    [Test]
    public void A_vocabulary_larger_than_the_embedding_table_is_a_usage_error_naming_both_sizes()
    {
        var model = TokenModel.WriteModel(Folder, rows: 200);
        var vocab = TokenModel.WriteVocabulary(Folder);
        var lines = TokenModel.WriteLines(Folder, "lines.txt", 5, seed: 6);
        var run = CliProcess.Run("compress", model, "-o", Path.Combine(Folder, "out.onnx"), "--calibration", lines, "--tokenizer", vocab);
        AssertOneError(run, $"{TokenModel.Vocabulary.Count} tokens");
        Assert.That(run.Stderr, Does.Contain("200 rows"));
        Assert.That(File.Exists(Path.Combine(Folder, "out.onnx")), Is.False);
    }

    [Test]
    public void Blank_text_is_a_usage_error()
    {
        var model = TokenModel.WriteModel(Folder);
        var vocab = TokenModel.WriteVocabulary(Folder);
        var empty = Path.Combine(Folder, "empty.txt");
        File.WriteAllLines(empty, ["", "   "]);
        AssertOneError(CliProcess.Run("diff", model, model, "--data", empty, "--tokenizer", vocab), "no sample");
    }

    private static void AssertOneError(CliProcess.Outcome run, string expected)
    {
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        var errors = run.Stderr.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.That(errors, Has.Count.EqualTo(1), run.ToString());
        Assert.That(errors[0], Does.Contain(expected), run.ToString());
    }
}
