using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Tests.Execution;

/// <summary>
/// A probe reads inner values, graph outputs and graph inputs by name. The reference is ONNX Runtime run on a copy
/// of the model in which the inner values were made graph outputs by hand, so nothing of the probe's exposing is used.
/// </summary>
public class ModelProbeTests
{
    private static readonly string[] Inner = ["h2", "h4"];

    [Test]
    public void Inner_values_are_those_of_the_model_with_them_as_graph_outputs()
    {
        var model = LayerChain.Build();
        var feeds = LayerChain.Feeds();
        var reference = Engine.Run(WithGraphOutputs(model, Inner), feeds);

        using var probe = ModelProbe.Open(Engine.Runner, model, [.. Inner, "Y", "h2"]);
        var values = probe.Run(feeds);

        Assert.That(values.Keys, Is.EqualTo(new[] { "h2", "h4", "Y" }), "each name once, in the order asked");
        foreach (var name in values.Keys)
        {
            Assert.That(values[name].Shape, Is.EqualTo(reference[name].Shape), name);
            Assert.That(Closeness.Mismatch(values[name].ToDoubles(), reference[name].ToDoubles(), 1e-5, 1e-6), Is.Null, name);
        }
    }

    [Test]
    public void A_graph_input_is_handed_back_from_the_feed()
    {
        var feeds = LayerChain.Feeds();
        using var probe = ModelProbe.Open(Engine.Runner, LayerChain.Build(), [LayerChain.Input]);

        var values = probe.Run(feeds);

        Assert.That(values[LayerChain.Input], Is.SameAs(feeds[LayerChain.Input]));
    }

    [Test]
    public void A_model_opened_from_its_file_returns_its_graph_outputs()
    {
        var model = LayerChain.Build();
        var feeds = LayerChain.Feeds();
        var reference = Engine.Run(model, feeds);
        var folder = Directory.CreateTempSubdirectory("probe-");
        try
        {
            var path = Path.Combine(folder.FullName, "chain.onnx");
            OnnxModelFile.Save(model, path);

            using var probe = ModelProbe.OpenFile(Engine.Runner, path);
            var values = probe.Run(feeds);

            Assert.That(values.Keys, Is.EqualTo(new[] { "Y" }));
            Assert.That(Closeness.Mismatch(values["Y"].ToDoubles(), reference["Y"].ToDoubles(), 1e-5, 1e-6), Is.Null);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void Zero_inputs_give_the_shapes_of_a_run_on_zeros()
    {
        var model = LayerChain.Build();
        var zeros = new Dictionary<string, TensorData>
        {
            [LayerChain.Input] = new(TensorProto.Types.DataType.Float, LayerChain.InputShape, new float[LayerChain.InputShape.Aggregate(1L, (n, d) => n * d)]),
        };
        var reference = Engine.Run(WithGraphOutputs(model, Inner), zeros);

        using var probe = ModelProbe.Open(Engine.Runner, model, Inner);
        var values = probe.RunOnZeros(DimensionSizes.None);

        foreach (var name in Inner)
            Assert.That(Closeness.Mismatch(values[name].ToDoubles(), reference[name].ToDoubles(), 1e-5, 1e-6), Is.Null, name);
    }

    /// <summary>A copy of <paramref name="model"/> whose graph also returns <paramref name="values"/>, typed as its input is.</summary>
    private static ModelProto WithGraphOutputs(ModelProto model, IEnumerable<string> values)
    {
        var copy = model.Clone();
        var elementType = copy.Graph.Input[0].Type.TensorType.ElemType;
        foreach (var name in values)
            copy.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType } } });
        return copy;
    }
}
