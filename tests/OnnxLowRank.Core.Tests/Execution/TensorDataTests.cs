using OnnxLowRank.Core.Execution;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Execution;

/// <summary>Every element type a tensor may hold widens to the same doubles, which data conversion and output comparison read.</summary>
public class TensorDataTests
{
    private static IEnumerable<TestCaseData> Tensors()
    {
        yield return new TestCaseData(new TensorData(DataType.Float, [3], new[] { 0f, 1f, 255f })).SetArgDisplayNames("float");
        yield return new TestCaseData(new TensorData(DataType.Double, [3], new[] { 0d, 1d, 255d })).SetArgDisplayNames("double");
        yield return new TestCaseData(new TensorData(DataType.Float16, [3], new[] { (Half)0, (Half)1, (Half)255 })).SetArgDisplayNames("float16");
        yield return new TestCaseData(new TensorData(DataType.Int64, [3], new[] { 0L, 1L, 255L })).SetArgDisplayNames("int64");
        yield return new TestCaseData(new TensorData(DataType.Int32, [3], new[] { 0, 1, 255 })).SetArgDisplayNames("int32");
        yield return new TestCaseData(new TensorData(DataType.Uint8, [3], new byte[] { 0, 1, 255 })).SetArgDisplayNames("uint8");
    }

    [TestCaseSource(nameof(Tensors))]
    public void Values_widen_to_double(TensorData tensor) =>
        Assert.That(tensor.ToDoubles(), Is.EqualTo(new[] { 0d, 1d, 255d }));

    [Test]
    public void Booleans_widen_to_zero_and_one() =>
        Assert.That(new TensorData(DataType.Bool, [2], new[] { false, true }).ToDoubles(), Is.EqualTo(new[] { 0d, 1d }));

    [Test]
    public void Widened_doubles_are_a_copy()
    {
        var values = new[] { 1d, 2d };
        var widened = new TensorData(DataType.Double, [2], values).ToDoubles();
        widened[0] = 5;
        Assert.That(values[0], Is.EqualTo(1d));
    }
}
