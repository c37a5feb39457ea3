using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Validation;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Validation;

/// <summary>
/// Token outputs compared on real tokens only, checked against the figures worked out here directly from their
/// definitions (plain loops over the masked tokens, softmax without the shift the accumulator uses).
/// </summary>
public class TokenMetricsTests
{
    // Two texts of 4 positions; the second text's last two are padding.
    private static readonly long[] Ids = [3, 1, 4, 1, 5, 2, 0, 0];
    private static readonly long[] Mask = [1, 1, 1, 1, 1, 1, 0, 0];

    private static TokenPositions Tokens() => TokenPositions.Of(new Dictionary<string, TensorData>
    {
        ["input_ids"] = new(DataType.Int64, [2, 4], Ids),
        ["attention_mask"] = new(DataType.Int64, [2, 4], Mask),
    })!;

    private static float[] Values(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
    }

    [Test]
    public void Embeddings_give_mean_pooled_and_per_token_cosines_over_real_tokens_and_no_top_one()
    {
        const int width = 5;
        var a = Values(1, 8 * width);
        var b = Values(2, 8 * width);
        // The padding positions of b are wild: they must not count.
        for (var i = 6 * width; i < 8 * width; i++) b[i] = 1000;

        var accumulator = new OutputComparisonAccumulator("hidden");
        accumulator.Add(TensorData.FromFloats([2, 4, width], a), TensorData.FromFloats([2, 4, width], b), labels: null, Tokens(), vocabulary: 6);
        var result = accumulator.Result();

        double[] Vector(float[] v, int position) => Enumerable.Range(0, width).Select(i => (double)v[(position * width) + i]).ToArray();
        double Cosine(double[] x, double[] y) => x.Zip(y, (p, q) => p * q).Sum() / Math.Sqrt(x.Sum(p => p * p) * y.Sum(q => q * q));
        var real = Enumerable.Range(0, 8).Where(p => Mask[p] == 1).ToList();
        var tokenCosine = real.Average(p => Cosine(Vector(a, p), Vector(b, p)));
        double[] Pool(float[] v, IEnumerable<int> positions) =>
            Enumerable.Range(0, width).Select(i => positions.Average(p => Vector(v, p)[i])).ToArray();
        var texts = new[] { real.Where(p => p < 4).ToList(), real.Where(p => p >= 4).ToList() };
        var pooledCosine = texts.Average(t => Cosine(Pool(a, t), Pool(b, t)));

        Assert.That(result.Tokens!.Kind, Is.EqualTo(TokenOutputKind.Embedding));
        Assert.That(result.Tokens.Tokens, Is.EqualTo(6));
        Assert.That(result.Tokens.TokenCosine, Is.EqualTo(tokenCosine).Within(1e-12));
        Assert.That(result.Tokens.MeanPooledCosine, Is.EqualTo(pooledCosine).Within(1e-12));
        Assert.That(result.IsClassifier, Is.False);
        Assert.That(result.TopOneAgreement, Is.Null, "top-1 of an embedding means nothing");
    }

    [Test]
    public void Logits_as_wide_as_the_vocabulary_give_next_token_agreement_and_perplexity_against_the_next_real_id()
    {
        const int vocabulary = 6;
        var a = Values(3, 8 * vocabulary);
        var b = Values(4, 8 * vocabulary);

        var accumulator = new OutputComparisonAccumulator("logits");
        accumulator.Add(TensorData.FromFloats([2, 4, vocabulary], a), TensorData.FromFloats([2, 4, vocabulary], b), labels: null, Tokens(), vocabulary);
        var result = accumulator.Result();

        double[] Row(float[] v, int position) => Enumerable.Range(0, vocabulary).Select(i => (double)v[(position * vocabulary) + i]).ToArray();
        double Probability(double[] logits, long target) => Math.Exp(logits[target]) / logits.Sum(Math.Exp);
        int ArgMax(double[] row) => Array.IndexOf(row, row.Max());
        // Scored positions: a real token followed by a real token of the same text: 0,1,2 and 4.
        int[] scored = [0, 1, 2, 4];
        double Perplexity(float[] v) => Math.Exp(-scored.Average(p => Math.Log(Probability(Row(v, p), Ids[p + 1]))));
        var real = Enumerable.Range(0, 8).Where(p => Mask[p] == 1).ToList();
        var agreement = real.Count(p => ArgMax(Row(a, p)) == ArgMax(Row(b, p))) / (double)real.Count;

        Assert.That(result.Tokens!.Kind, Is.EqualTo(TokenOutputKind.Logits));
        Assert.That(result.Tokens.OriginalPerplexity, Is.EqualTo(Perplexity(a)).Within(1e-9));
        Assert.That(result.Tokens.CompressedPerplexity, Is.EqualTo(Perplexity(b)).Within(1e-9));
        Assert.That(result.Tokens.NextTokenAgreement, Is.EqualTo(agreement));
        Assert.That(result.TopOneAgreement, Is.EqualTo(agreement), "top-1 of logits is the next-token agreement on real tokens");
    }

    [Test]
    public void Neighbour_overlap_is_the_share_of_each_texts_ten_nearest_that_both_models_find()
    {
        const int texts = 30, width = 4;
        var random = new Random(9);
        var a = Enumerable.Range(0, texts * width).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var b = a.Select(v => v + (float)(0.3 * ((random.NextDouble() * 2) - 1))).ToArray();
        var tokens = TokenPositions.Of(new Dictionary<string, TensorData>
        {
            ["input_ids"] = new(DataType.Int64, [texts, 1], Enumerable.Repeat(1L, texts).ToArray()),
        })!;

        var accumulator = new OutputComparisonAccumulator("hidden");
        accumulator.Add(TensorData.FromFloats([texts, 1, width], a), TensorData.FromFloats([texts, 1, width], b), labels: null, tokens, vocabulary: 6);
        var overlap = accumulator.Result().Tokens!.NeighbourOverlap;

        // The reference: one token a text, so its vector is the pooled one; neighbours by the cosine formula, sorted whole.
        double Cosine(float[] v, int i, int j) =>
            Enumerable.Range(0, width).Sum(d => (double)v[(i * width) + d] * v[(j * width) + d])
            / Math.Sqrt(Enumerable.Range(0, width).Sum(d => (double)v[(i * width) + d] * v[(i * width) + d]) * Enumerable.Range(0, width).Sum(d => (double)v[(j * width) + d] * v[(j * width) + d]));
        HashSet<int> Nearest(float[] v, int i) => Enumerable.Range(0, texts).Where(j => j != i).OrderByDescending(j => Cosine(v, i, j)).Take(10).ToHashSet();
        var expected = Enumerable.Range(0, texts).Average(i => Nearest(a, i).Intersect(Nearest(b, i)).Count() / 10.0);

        Assert.That(overlap, Is.EqualTo(expected).Within(1e-12));
        Assert.That(overlap, Is.InRange(0.3, 0.99), "noise moves some neighbours, not all");
    }
}
