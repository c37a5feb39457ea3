using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Sensitivity;
using OnnxLowRank.Core.Tests.Support;

namespace OnnxLowRank.Core.Tests.Sensitivity;

/// <summary>
/// A layer's suffix, fed the values the whole model computes at its frontier, returns the whole model's outputs in ONNX Runtime.
/// The ResNet's residual Adds make the frontier more than the layer's input: a suffix missing the skip branch would not run.
/// </summary>
public class SuffixModelTests
{
    [TestCase("resnet.onnx")]
    [TestCase("mlp.onnx")]
    public void EverySuffixReturnsTheWholeModelsOutputs(string file)
    {
        var (model, analysis) = FashionMnistCalibration.Analyse(file);
        var inputs = FashionMnistCalibration.Images(model, 8);
        var output = model.Graph.Output[0].Name;
        var suffixes = analysis.Layers.Select(l => SuffixModel.Of(model, l.Layer.Node, l.Name, [output])).ToList();
        var whole = Engine.Run(model, inputs, suffixes.SelectMany(s => s.Inputs).Distinct().Where(v => !inputs.ContainsKey(v)).ToList());
        TensorData Value(string name) => inputs.TryGetValue(name, out var fed) ? fed : whole[name];
        var expected = whole[output].ToDoubles();

        foreach (var (suffix, layer) in suffixes.Zip(analysis.Layers))
        {
            Assert.That(suffix.Outputs, Is.EqualTo(new[] { output }), $"{layer.Name} reaches the logits");
            Assert.That(suffix.Inputs, Does.Contain(layer.Layer.Node.Input[0]), $"{layer.Name}'s suffix reads the layer's input");
            var suffixModel = suffix.ToModel(name => Value(name).ElementType);
            var actual = Engine.Run(suffixModel, suffix.Inputs.ToDictionary(v => v, Value))[output].ToDoubles();
            Assert.That(Closeness.Mismatch(actual, expected, 1e-5, 1e-5), Is.Null, $"suffix of {layer.Name}");
        }
        TestContext.Out.WriteLine($"{file}: {suffixes.Count} suffixes, frontier sizes {string.Join(" ", suffixes.Select(s => s.Inputs.Count))}");
        if (file == "resnet.onnx")
            Assert.That(suffixes.Count(s => s.Inputs.Count > 1), Is.GreaterThan(0), "inside a residual block the skip branch is a frontier value");
    }

    [Test]
    public void AnOutputTheLayerDoesNotReachIsLeftOut()
    {
        var (model, analysis) = FashionMnistCalibration.Analyse("mlp.onnx");
        var first = analysis.Layers[0];
        var suffix = SuffixModel.Of(model, first.Layer.Node, first.Name, ["not-an-output-of-this-layer"]);
        Assert.That(suffix.Outputs, Is.Empty);
    }
}
