using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;

namespace OnnxLowRank.Core.Tests.Layers;

/// <summary>Embedding Gathers over constant tables, with and without a tied head, and the tables that must stay whole.</summary>
public class EmbeddingDiscoveryTests
{
    private const int Vocabulary = 50;
    private const int Width = 8;

    /// <summary>ids -> Gather(E) -> X, and h -> MatMul(h, Transpose(E)) -> logits when <paramref name="tied"/>.</summary>
    private static ModelBuilder Tied(bool tied = true)
    {
        var b = new ModelBuilder();
        var e = b.Initializer("E", [Vocabulary, Width], RandomValues.Normal(1, Vocabulary * Width));
        b.Node("Gather", "embed", [e, b.IndexInput("ids", 2, 3)], b.Output("X"));
        if (!tied) return b;
        b.Node("Transpose", "tie", [e], "ET", ModelBuilder.Ints("perm", 1, 0));
        b.Node("MatMul", "head", [b.Input("h", 2, 3, Width), "ET"], b.Output("logits"));
        return b;
    }

    [Test]
    public void GatherAndItsTiedHeadAreOneLayerAndTheHeadIsNoLongerSkipped()
    {
        var result = LayerDiscovery.Find(Tied().Build());

        var layer = result.Layers.Single();
        Assert.Multiple(() =>
        {
            Assert.That((layer.NodeName, layer.Kind, layer.ConstantName), Is.EqualTo(("embed", LayerKind.Embedding, "E")));
            Assert.That(layer.Head?.Node.Name, Is.EqualTo("head"));
            Assert.That(layer.Head?.Transpose?.Name, Is.EqualTo("tie"));
            Assert.That((layer.Geometry.OutputChannels, layer.Geometry.InputChannels), Is.EqualTo((Vocabulary, Width)));
            Assert.That(layer.Geometry.OriginalParameters, Is.EqualTo(Vocabulary * Width));
            Assert.That(layer.Geometry.FactoredParameters(1, 3), Is.EqualTo(3 * (Vocabulary + Width)));
            Assert.That(result.Skipped, Is.Empty, "the head is part of the layer, not a shared weight");
        });
    }

    [Test]
    public void GemmWithTransposedTableIsATiedHead()
    {
        var b = Tied(tied: false);
        b.Node("Gemm", "head", [b.Input("h", 4, Width), "E"], b.Output("logits"), ModelBuilder.Int("transB", 1));

        var layer = LayerDiscovery.Find(b.Build()).Layers.Single();

        Assert.That((layer.Kind, layer.Head?.Node.Name, layer.Head?.Transpose), Is.EqualTo((LayerKind.Embedding, "head", (Onnx.Protos.NodeProto?)null)));
    }

    [Test]
    public void TableReadByAnotherOperatorStaysWholeAndCountsOnceInTheBudget()
    {
        var b = Tied();
        // A third reader that is no head: the table would be gone for it.
        b.Node("ReduceSum", "norm", ["E"], b.Output("total"));
        var model = b.Build();

        var result = LayerDiscovery.Find(model);
        var analysis = new CompressionPipeline().Analyze(model, new PipelineOptions());

        Assert.Multiple(() =>
        {
            Assert.That(result.Layers, Is.Empty);
            Assert.That(result.Skipped.Select(s => (s.NodeName, s.Reason)),
                Is.EqualTo(new[] { ("embed", SkipReason.SharedWeight), ("head", SkipReason.SharedWeight) }));
            // Both stay whole, and the table counts once: at its Gather (the head reads a Transpose, not the constant).
            Assert.That(analysis.WholeLayers.Select(w => (w.Name, w.OpType, w.Parameters)), Is.EqualTo(new[] { ("embed", "Gather", (long)Vocabulary * Width) }));
            Assert.That(analysis.BudgetParameters, Is.EqualTo(Vocabulary * Width));
        });
    }

    [Test]
    public void ExcludedTableWithAGemmHeadCountsOnceThoughBothNodesReadTheConstant()
    {
        var b = Tied(tied: false);
        b.Node("Gemm", "head", [b.Input("h", 4, Width), "E"], b.Output("logits"), ModelBuilder.Int("transB", 1));

        var analysis = new CompressionPipeline().Analyze(b.Build(), new PipelineOptions { Exclude = ["embed"] });

        Assert.Multiple(() =>
        {
            Assert.That(analysis.Skipped.Select(s => (s.NodeName, s.Reason)),
                Is.EqualTo(new[] { ("embed", SkipReason.Excluded), ("head", SkipReason.SharedWeight) }));
            Assert.That(analysis.WholeLayers.Select(w => w.Name), Is.EqualTo(new[] { "embed" }));
            Assert.That(analysis.BudgetParameters, Is.EqualTo(Vocabulary * Width));
        });
    }

    [Test]
    public void TableAlsoReadByASecondGatherStaysWhole()
    {
        var b = Tied(tied: false);
        b.Node("Gather", "again", ["E", b.IndexInput("more", 5)], b.Output("Z"));

        var result = LayerDiscovery.Find(b.Build());

        Assert.That(result.Layers, Is.Empty);
        Assert.That(result.Skipped.Select(s => s.Reason), Is.EqualTo(new[] { SkipReason.SharedWeight, SkipReason.SharedWeight }));
    }

    [Test]
    public void ColumnGatherAndTablesNoRankCanShrinkStayWhole()
    {
        var b = new ModelBuilder();
        b.Node("Gather", "columns", [b.Initializer("E", [Vocabulary, Width], RandomValues.Normal(2, Vocabulary * Width)), b.IndexInput("ids", 3)], b.Output("X"),
            ModelBuilder.Int("axis", 1));
        // Rank 1 of a 2 x 2 table stores 4 numbers, as many as the table.
        b.Node("Gather", "tiny", [b.Initializer("T", [2, 2], [1, 2, 3, 4]), b.IndexInput("types", 3)], b.Output("Y"));

        var result = LayerDiscovery.Find(b.Build());

        Assert.That(result.Layers, Is.Empty);
        Assert.That(result.Skipped.Select(s => (s.NodeName, s.Reason)),
            Is.EqualTo(new[] { ("columns", SkipReason.UnsupportedShape), ("tiny", SkipReason.NotBeneficial) }));
    }

    [Test]
    public void TinyGptTokenEmbeddingAndItsTiedHeadAreOneLayer()
    {
        var model = OnnxModelFile.Load(RepositoryFiles.Model(Path.Combine("causal", "tiny-gpt.onnx")));

        var result = LayerDiscovery.Find(model);

        var tokens = result.Layers.Single(l => l.ConstantName == "tokens.weight");
        Assert.Multiple(() =>
        {
            Assert.That(tokens.Kind, Is.EqualTo(LayerKind.Embedding));
            Assert.That(tokens.Head?.Node.OpType, Is.EqualTo("MatMul"));
            Assert.That(tokens.Head?.Node.Output[0], Is.EqualTo("logits"));
            Assert.That(result.Skipped.Where(s => s.Reason == SkipReason.SharedWeight), Is.Empty, "the tied head used to be skipped as a shared weight");
            // Two blocks of four Linear layers, the token table with its head, and the position table.
            Assert.That(result.Layers.Count(l => l.Kind == LayerKind.Embedding), Is.EqualTo(2));
            Assert.That(result.Layers, Has.Count.EqualTo(10));
        });
    }
}
