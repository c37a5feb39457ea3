using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime.Tests.Support;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Runtime.Tests;

public class OnnxRuntimeModelRunnerTests
{
    private static readonly OnnxRuntimeModelRunner Runner = new(new OnnxRuntimeRunnerOptions { IntraOpNumThreads = 1 });

    private static readonly TensorData Batch = TensorData.FromFloats([5, 8], TinyModels.Ramp(40, 7));

    [TestCase(false, TestName = "Exposed inner value without a declared type")]
    [TestCase(true, TestName = "Exposed inner value with a value_info type")]
    public void ExposedInnerValueEqualsTheOutputOfAModelThatEndsThere(bool declareInnerTypes)
    {
        // The reference: the same first layer, in a model whose graph output is H.
        var truncated = TinyModels.TwoLayerPerceptron();
        truncated.Graph.Node.RemoveAt(2);
        truncated.Graph.Node.RemoveAt(1);
        truncated.Graph.Output.Clear();
        truncated.Graph.Output.Add(TinyModels.Value("H", DataType.Float, "batch", 6L));
        truncated.Graph.Initializer.RemoveAt(1);
        TensorData reference;
        using (var session = Runner.Open(truncated)) reference = session.Run(new Dictionary<string, TensorData> { ["X"] = Batch })["H"];

        using var exposed = Runner.Open(TinyModels.TwoLayerPerceptron(declareInnerTypes), ["H"]);
        Assert.That(exposed.Outputs.Select(o => o.Name), Is.EqualTo(new[] { "Y", "H" }));
        Assert.That(exposed.Outputs[1].ElementType, Is.EqualTo(DataType.Float));
        var results = exposed.Run(new Dictionary<string, TensorData> { ["X"] = Batch });

        Assert.That(results.Keys, Is.EquivalentTo(new[] { "Y", "H" }));
        Assert.That(results["H"].Shape, Is.EqualTo(new long[] { 5, 6 }));
        Assert.That(results["H"].AsFloats(), Is.EqualTo(reference.AsFloats()).Within(1e-6f));
    }

    [Test]
    public void ExposedValuesAreReturnedOnRequestAndMatchAHandComputation()
    {
        using var session = Runner.Open(TinyModels.TwoLayerPerceptron(), ["R", "H"]);
        var results = session.Run(new Dictionary<string, TensorData> { ["X"] = Batch }, ["R"]);

        Assert.That(results.Keys, Is.EqualTo(new[] { "R" }));
        var x = Batch.AsFloats();
        var w1 = TinyModels.Ramp(48, 1);
        var expected = new float[5 * 6];
        for (var i = 0; i < 5; i++)
            for (var j = 0; j < 6; j++)
            {
                double sum = 0;
                for (var k = 0; k < 8; k++) sum += x[i * 8 + k] * w1[k * 6 + j];
                expected[i * 6 + j] = (float)Math.Max(sum, 0);
            }
        Assert.That(results["R"].AsFloats(), Is.EqualTo(expected).Within(1e-5f));
    }

    [Test]
    public void DescribesSymbolicAndFixedDimensions()
    {
        using var session = Runner.Open(TinyModels.TwoLayerPerceptron());
        var input = session.Inputs.Single();
        Assert.That(input.Name, Is.EqualTo("X"));
        Assert.That(input.ElementType, Is.EqualTo(DataType.Float));
        Assert.That(input.Shape, Is.EqualTo(new long?[] { null, 8 }));
        Assert.That(input.SymbolicDims, Is.EqualTo(new string?[] { "batch", null }));
    }

    [Test]
    public void RefusesToExposeAValueTheGraphDoesNotHave()
    {
        Assert.That(() => Runner.Open(TinyModels.TwoLayerPerceptron(), ["nowhere"]),
            Throws.ArgumentException.With.Message.Contains("nowhere"));
    }

    [Test]
    public void ExposingLeavesTheCallersModelUntouched()
    {
        var model = TinyModels.TwoLayerPerceptron();
        var before = model.Clone();
        using (Runner.Open(model, ["H"])) { }
        Assert.That(model, Is.EqualTo(before));
    }

    [TestCase(DataType.Float)]
    [TestCase(DataType.Double)]
    [TestCase(DataType.Float16)]
    [TestCase(DataType.Int64)]
    [TestCase(DataType.Int32)]
    [TestCase(DataType.Bool)]
    [TestCase(DataType.Uint8)]
    public void CarriesEveryTensorDataElementTypeThroughIdentity(DataType elementType)
    {
        Array values = elementType switch
        {
            DataType.Float => new[] { 1.5f, -2f, 0f, float.MaxValue, float.Epsilon, -0.25f },
            DataType.Double => new[] { 1.5, -2, 0, double.MaxValue, double.Epsilon, -0.25 },
            DataType.Float16 => new[] { (Half)1.5, (Half)(-2), Half.Zero, Half.MaxValue, Half.Epsilon, (Half)(-0.25) },
            DataType.Int64 => new[] { 1L, -2, 0, long.MaxValue, long.MinValue, 7 },
            DataType.Int32 => new[] { 1, -2, 0, int.MaxValue, int.MinValue, 7 },
            DataType.Bool => new[] { true, false, false, true, true, false },
            _ => new byte[] { 1, 2, 0, 255, 128, 7 },
        };
        using var session = Runner.Open(TinyModels.Identity(elementType));
        var result = session.Run(new Dictionary<string, TensorData> { ["X"] = new TensorData(elementType, [2, 3], values) })["Y"];

        Assert.That(result.ElementType, Is.EqualTo(elementType));
        Assert.That(result.Shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(result.Values, Is.EqualTo(values));
    }
}
