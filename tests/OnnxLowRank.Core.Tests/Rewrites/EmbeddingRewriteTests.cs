using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Rewrites;

/// <summary>
/// An embedding table and its tied head rewritten over one pair of factors, judged by ONNX Runtime against the original
/// model, and the factors against a dense SVD of the table written with MathNet.
/// </summary>
public class EmbeddingRewriteTests
{
    private const int Vocabulary = 300;
    private const int Width = 32;

    private static TensorData Ids(int seed, int rows, int columns, int vocabulary)
    {
        var random = new Random(seed);
        return new TensorData(DataType.Int64, [rows, columns], Enumerable.Range(0, rows * columns).Select(_ => (long)random.Next(vocabulary)).ToArray());
    }

    private static TensorData Hidden(int seed, params long[] shape) =>
        TensorData.FromFloats(shape, RandomValues.Normal(seed, RandomValues.Count(shape)).Select(v => (float)v).ToArray());

    /// <summary>ids -> Gather(E) -> X; h -> MatMul(h, Transpose(E)) -> logits, or Gemm(h, E, C, transB = 1, alpha) with <paramref name="gemm"/>.</summary>
    private static ModelProto TiedModel(bool gemm = false)
    {
        var b = new ModelBuilder();
        var e = b.Initializer("E", [Vocabulary, Width], RandomValues.Normal(3, Vocabulary * Width));
        b.Node("Gather", "embed", [e, b.IndexInput("ids", 2, 5)], b.Output("X"));
        if (gemm)
        {
            var c = b.Initializer("C", [Vocabulary], RandomValues.Normal(4, Vocabulary));
            b.Node("Gemm", "head", [b.Input("h", 4, Width), e, c], b.Output("logits"), ModelBuilder.Int("transB", 1), ModelBuilder.Float("alpha", 0.5f));
        }
        else
        {
            b.Node("Transpose", "tie", [e], "ET", ModelBuilder.Ints("perm", 1, 0));
            b.Node("MatMul", "head", [b.Input("h", 2, 5, Width), "ET"], b.Output("logits"));
        }
        return b.Build();
    }

    private static CompressionResult Compress(ModelProto model, string layer, int rank) =>
        new LowRankCompressor().Compress(model, new CompressionPlan([new LayerPlan(layer, 1, rank)]), new CompressionOptions { Force = true });

    private static void AssertSameOutputs(ModelProto original, ModelProto compressed, IReadOnlyDictionary<string, TensorData> feeds)
    {
        var expected = Engine.Run(original, feeds);
        var actual = Engine.Run(compressed, feeds);
        foreach (var (name, value) in expected)
            Assert.That(Closeness.Mismatch(actual[name].ToDoubles(), value.ToDoubles(), 1e-4, 1e-4), Is.Null, name);
    }

    [Test]
    public void TinyGptWithItsEmbeddingAtFullRankGivesTheOriginalLogits()
    {
        var model = OnnxModelFile.Load(RepositoryFiles.Model(Path.Combine("causal", "tiny-gpt.onnx")));
        var tokens = LayerDiscovery.Find(model).Layers.Single(l => l.ConstantName == "tokens.weight");

        var compressed = Compress(model, tokens.NodeName, tokens.Geometry.MaxRank(1)).Model;

        Assert.That(compressed.Graph.Initializer.Select(t => t.Name), Has.No.Member("tokens.weight"));
        Assert.That(compressed.Graph.Node.Select(n => n.Output[0]), Has.No.Member(tokens.Head!.Transpose!.Output[0]), "the head's Transpose of E goes with E");
        AssertSameOutputs(model, compressed, new Dictionary<string, TensorData> { ["input_ids"] = Ids(7, 2, 24, 4096) });
    }

    [Test]
    public void GemmHeadAtFullRankKeepsItsBiasAndAlpha()
    {
        var model = TiedModel(gemm: true);

        var compressed = Compress(model, "embed", Width).Model;

        AssertSameOutputs(model, compressed, new Dictionary<string, TensorData> { ["ids"] = Ids(8, 2, 5, Vocabulary), ["h"] = Hidden(9, 4, Width) });
    }

    [Test]
    public void FactorsAreTheTablesTruncatedSvdStoredOnceForBothReads()
    {
        const int rank = 5;
        var model = TiedModel();
        var table = DenseReference.RowMajor(Vocabulary, Width, TensorCodec.ToDoubles(model.Graph.Initializer.Single(t => t.Name == "E")));
        var svd = table.Svd(computeVectors: true);
        var truncated = svd.U.SubMatrix(0, Vocabulary, 0, rank) * Matrix<double>.Build.DenseOfDiagonalArray(svd.S.SubVector(0, rank).ToArray())
            * svd.VT.SubMatrix(0, rank, 0, Width);

        var result = Compress(model, "embed", rank);
        var graph = result.Model.Graph;

        // One pair of factors, E gone: the tied head reads A and B through Transposes, not copies of its own.
        var factors = graph.Initializer.ToList();
        Assert.That(factors, Has.Count.EqualTo(2));
        var a = factors.Single(t => t.Dims.SequenceEqual([Vocabulary, rank]));
        var b = factors.Single(t => t.Dims.SequenceEqual([rank, Width]));
        var product = DenseReference.RowMajor(Vocabulary, rank, TensorCodec.ToDoubles(a)) * DenseReference.RowMajor(rank, Width, TensorCodec.ToDoubles(b));
        Assert.That((product - truncated).Enumerate().Max(Math.Abs), Is.LessThan(1e-5 * table.Enumerate().Max(Math.Abs)));
        var readers = graph.Node.Where(n => n.Input.Contains(a.Name) || n.Input.Contains(b.Name)).Select(n => (n.OpType, n.Input.Contains(a.Name) ? "A" : "B")).ToList();
        Assert.That(readers, Is.EquivalentTo(new[] { ("Gather", "A"), ("MatMul", "B"), ("Transpose", "B"), ("Transpose", "A") }));

        // Parameters by hand: r (V + H) for the pair, V H for the table.
        var outcome = result.Layers.Single();
        Assert.Multiple(() =>
        {
            Assert.That((outcome.Kind, outcome.OriginalParameters, outcome.NewParameters), Is.EqualTo((LayerKind.Embedding, 300L * 32, 5L * (300 + 32))));
            Assert.That(ModelParameters.Count(model), Is.EqualTo(300 * 32));
            Assert.That(ModelParameters.Count(result.Model), Is.EqualTo(5 * (300 + 32)));
        });

        // And the model computes the lookup and the head of the truncated table, in the engine.
        var ids = Ids(10, 2, 5, Vocabulary);
        var h = Hidden(11, 2, 5, Width);
        var outputs = Engine.Run(result.Model, new Dictionary<string, TensorData> { ["ids"] = ids, ["h"] = h });
        var idValues = (long[])ids.Values;
        var expectedRows = idValues.SelectMany(id => truncated.Row((int)id).ToArray()).ToArray();
        var hidden = DenseReference.RowMajor(idValues.Length, Width, h.ToDoubles());
        var expectedLogits = DenseReference.ToRowMajor(hidden * truncated.Transpose());
        Assert.That(Closeness.Mismatch(outputs["X"].ToDoubles(), expectedRows, 1e-4, 1e-5), Is.Null, "X");
        Assert.That(Closeness.Mismatch(outputs["logits"].ToDoubles(), expectedLogits, 1e-4, 1e-4), Is.Null, "logits");
    }
}
