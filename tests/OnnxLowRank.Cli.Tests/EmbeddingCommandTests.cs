using Microsoft.ML.OnnxRuntime;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Onnx;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// The token model's embedding table (a Gather without a tied head): rewritten at full rank it gives the original
/// embeddings in ONNX Runtime, and a FLOP budget leaves it whole, because a lookup has no FLOPs to save.
/// </summary>
public class EmbeddingCommandTests : ScratchFolderTest
{
    [Test]
    public void Token_model_with_its_table_factorized_at_full_rank_gives_the_original_embeddings()
    {
        var path = TokenModel.WriteModel(Folder);
        var model = OnnxModelFile.Load(path);
        var table = LayerDiscovery.Find(model).Layers.Single(l => l.Kind == LayerKind.Embedding);
        var compressed = new LowRankCompressor().Compress(model, new CompressionPlan([new LayerPlan(table.NodeName, 1, TokenModel.Width)]),
            new CompressionOptions { Force = true }).Model;
        var output = Path.Combine(Folder, "full-rank.onnx");
        OnnxModelFile.Save(compressed, output);

        Assert.That(compressed.Graph.Initializer.Select(t => t.Name), Has.No.Member("embedding"));
        var random = new Random(12);
        var ids = Enumerable.Range(0, 2 * 9).Select(_ => (long)random.Next(TokenModel.Vocabulary.Count)).ToArray();
        var mask = Enumerable.Repeat(1L, ids.Length).ToArray();
        var expected = Hidden(path, ids, mask);
        var actual = Hidden(output, ids, mask);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a) / (1 + Math.Abs(e))).Max();
        Assert.That(worst, Is.LessThan(1e-4));
    }

    [Test]
    public void Flop_budget_leaves_a_lookup_without_a_tied_head_whole()
    {
        var model = TokenModel.WriteModel(Folder);
        var report = Path.Combine(Folder, "flops.json");

        var run = CliInProcess.Run("compress", model, "-o", Path.Combine(Folder, "out.onnx"), "--keep-flops", "0.5", "--report", report, "--quiet");

        Assert.That(run.Exit, Is.EqualTo(0), run.Stdout + run.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        var compression = json.RootElement.GetProperty("compression");
        Assert.That(compression.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("op").GetString()), Has.No.Member("Embedding"));
        Assert.That(compression.GetProperty("skipped").EnumerateArray().Select(s => (s.GetProperty("name").GetString(), s.GetProperty("reason").GetString())),
            Has.Member(("embedded", "noFlopsToSave")));
    }

    private static float[] Hidden(string modelPath, long[] ids, long[] mask)
    {
        using var session = OnnxRuntimeSessions.Open(modelPath);
        using var idValue = OrtValue.CreateTensorValueFromMemory(ids, [2, ids.Length / 2]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [2, mask.Length / 2]);
        using var outputs = OnnxRuntimeSessions.Run(session, ["input_ids", "attention_mask"], [idValue, maskValue], ["hidden"]);
        return outputs.First().GetTensorDataAsSpan<float>().ToArray();
    }
}
