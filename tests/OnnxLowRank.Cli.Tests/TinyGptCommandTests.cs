using Microsoft.ML.OnnxRuntime;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// The committed causal language model (models/causal/tiny-gpt.onnx: fused qkv Linear, head tied to the token
/// embedding) through analyze and compress, in process, and the compressed model's next-token logits against the
/// original's, both run in ONNX Runtime on dev lines tokenized by the tool's own tokenizer.
/// </summary>
public class TinyGptCommandTests : ScratchFolderTest
{
    // Measured on the first 64 dev lines (731 positions): relative L2 error 0.038, top-1 agreement 92.2%. Since the
    // token table and its tied head count in the budget (issue #17), alds meets 0.7 by factorizing that table alone
    // (rank 57 of 128); before, it rewrote 4 of the 8 Linear layers, for 0.020 and 95.9%. The bounds leave room for
    // float rounding across machines (near-tied logits flip) and small changes to the allocation, and stay far from a
    // model whose predictions are lost: the same architecture with random weights, compressed the same way, gave 1.02
    // and 1.9%.
    private const double RelativeErrorBound = 0.05;

    private const double AgreementBound = 0.90;

    private static string Model => RepositoryFiles.Model(Path.Combine("causal", "tiny-gpt.onnx"));

    // Weights in the budget, by hand: the token table 4096 x 128 (its tied head adds nothing), the position table
    // 128 x 128, and per block qkv 128 x 384, proj 128 x 128, up 128 x 512, down 512 x 128.
    private const long BudgetParameters = 4096 * 128 + 128 * 128 + 2 * (128 * 384 + 128 * 128 + 128 * 512 + 512 * 128);

    [Test]
    public void Compress_to_0_7_of_the_parameters_keeps_most_next_token_predictions()
    {
        var output = Path.Combine(Folder, "tiny-gpt-0.7.onnx");
        var report = Path.Combine(Folder, "compress.json");
        var vocabularyFile = RepositoryFiles.Model(Path.Combine("causal", "vocab.txt"));
        var dev = RepositoryFiles.Data(Path.Combine("text", "dev.txt"));
        Run("analyze", Model);
        Run("compress", Model, "-o", output, "--keep-params", "0.7", "--report", report,
            "--validate", dev, "--limit", "64", "--tokenizer", vocabularyFile, "--max-tokens", "64");

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        var compression = json.RootElement.GetProperty("compression");
        var embedding = compression.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "/tokens/Gather");
        Assert.That(embedding.GetProperty("op").GetString(), Is.EqualTo("Embedding"));
        Assert.That(embedding.GetProperty("newParameters").GetInt64(), Is.EqualTo(embedding.GetProperty("rank").GetInt64() * (4096 + 128)));
        Assert.That(compression.GetProperty("budgetParametersBefore").GetInt64(), Is.EqualTo(BudgetParameters));
        var reported = json.RootElement.GetProperty("comparison").GetProperty("outputs")[0].GetProperty("tokens").GetProperty("nextTokenAgreement").GetDouble();

        var tokenizer = TokenizerFile.Load(vocabularyFile);
        // Dev lines: the bounds below were chosen on them; the held-out split is kept for figures.
        var lines = TextDataSource.ReadLines(dev).Take(64);
        using var original = OnnxRuntimeSessions.Open(Model);
        using var compressed = OnnxRuntimeSessions.Open(output);
        double errorSquares = 0, referenceSquares = 0;
        int agreeing = 0, positions = 0;
        foreach (var line in lines)
        {
            var ids = tokenizer.Encode(line, 64);
            var expected = Logits(original, ids);
            var actual = Logits(compressed, ids);
            for (var i = 0; i < expected.Length; i++)
            {
                errorSquares += (actual[i] - expected[i]) * (double)(actual[i] - expected[i]);
                referenceSquares += expected[i] * (double)expected[i];
            }
            var vocabulary = expected.Length / ids.Length;
            for (var t = 0; t < ids.Length; t++)
            {
                if (ArgMax(expected.AsSpan(t * vocabulary, vocabulary)) == ArgMax(actual.AsSpan(t * vocabulary, vocabulary))) agreeing++;
                positions++;
            }
        }
        var relativeError = Math.Sqrt(errorSquares / referenceSquares);
        var agreement = (double)agreeing / positions;
        TestContext.Out.WriteLine($"relative L2 error of the logits {relativeError:F4}, top-1 next-token agreement {agreement:P1} over {positions} positions");
        Assert.That(relativeError, Is.LessThan(RelativeErrorBound));
        Assert.That(agreement, Is.GreaterThan(AgreementBound));
        // The tool's own figure, from batches of 32 padded lines, counts the same 731 positions as this one-line-at-a-time run.
        Assert.That(reported, Is.EqualTo(agreement).Within(2.0 / positions));
    }

    [Test]
    public void Diff_computes_the_held_out_perplexity_that_torch_and_numpy_give()
    {
        // The reference: models/README.md's held-out perplexity of this model, 137.648, computed by the training script in
        // torch and again on the exported graph in numpy, over the first 500 test lines cut at 64 tokens, [SEP] included.
        const double reference = 137.648;
        var report = Path.Combine(Folder, "diff.json");
        var tokens = Path.Combine("causal", "vocab.txt");

        // Batches of 32 are padded to their longest line; the model takes no mask, so padding must be left out by length.
        Run("diff", Model, Model, "--data", RepositoryFiles.Data(Path.Combine("text", "test.txt")), "--limit", "500",
            "--tokenizer", RepositoryFiles.Model(tokens), "--max-tokens", "64", "--report", report);

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        var logits = json.RootElement.GetProperty("comparison").GetProperty("outputs")[0];
        var metrics = logits.GetProperty("tokens");
        Assert.That(metrics.GetProperty("kind").GetString(), Is.EqualTo("logits"), "as wide as the 4096-row embedding table");
        Assert.That(metrics.GetProperty("originalPerplexity").GetDouble(), Is.EqualTo(reference).Within(0.01));
        Assert.That(metrics.GetProperty("compressedPerplexity").GetDouble(), Is.EqualTo(reference).Within(0.01));
        Assert.That(metrics.GetProperty("nextTokenAgreement").GetDouble(), Is.EqualTo(1.0));
    }

    private static void Run(params string[] args)
    {
        var run = CliInProcess.Run([.. args, "--quiet"]);
        Assert.That(run.Exit, Is.EqualTo(0), $"onnx-lowrank {string.Join(' ', args)}\n{run.Stdout}\n{run.Stderr}");
    }

    private static float[] Logits(InferenceSession session, int[] ids)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(ids.Select(id => (long)id).ToArray(), [1, ids.Length]);
        using var outputs = OnnxRuntimeSessions.Run(session, ["input_ids"], [input], ["logits"]);
        return outputs.First().GetTensorDataAsSpan<float>().ToArray();
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best]) best = i;
        }
        return best;
    }
}
