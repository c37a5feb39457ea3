using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Errors;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Execution;

public class DimensionSizesTests
{
    private static readonly ValueDescriptor[] Inputs =
    [
        new("image", DataType.Float, [null, 3, null, null], ["batch", null, "height", "width"]),
        new("mask", DataType.Float, [null, null], ["batch", "tokens"]),
        new("audio", DataType.Float, [1, null], [null, null]),
    ];

    [Test]
    public void Whole_shapes_symbols_and_input_axes_bind()
    {
        var resolved = DimensionSizes.Parse(["image=2x3x224x200", "batch=4", "tokens=7", "audio:1=512"]).Resolve(Inputs);
        Assert.That(resolved.Shapes["image"], Is.EqualTo(new long[] { 2, 3, 224, 200 }));
        Assert.That(resolved.Shapes["mask"], Is.EqualTo(new long[] { 4, 7 }));
        Assert.That(resolved.Shapes["audio"], Is.EqualTo(new long[] { 1, 512 }));
        Assert.That(resolved.Unsized, Is.Empty);
    }

    [Test]
    public void Bare_shapes_go_to_the_inputs_in_order_and_the_rest_run_at_one_and_are_reported()
    {
        var resolved = DimensionSizes.Parse(["1x3x32x32"]).Resolve(Inputs);
        Assert.That(resolved.Shapes["image"], Is.EqualTo(new long[] { 1, 3, 32, 32 }));
        Assert.That(resolved.Shapes["mask"], Is.EqualTo(new long[] { 1, 1 }));
        Assert.That(resolved.Shapes["audio"], Is.EqualTo(new long[] { 1, 1 }));
        Assert.That(resolved.Unsized.Select(u => u.Name), Is.EqualTo(new[] { "batch", "tokens", "audio:1" }), "an unnamed dimension is named by input and axis");
        Assert.That(resolved.UnsizedNames, Is.EqualTo(new[] { "tokens", "audio:1" }), "the batch is named only when nothing else is unsized");
        Assert.That(DimensionSizes.Parse(["1x3x32x32", "tokens=4", "audio=1x8"]).Resolve(Inputs).UnsizedNames, Is.EqualTo(new[] { "batch" }));
    }

    [Test]
    public void An_input_whose_name_has_a_colon_takes_a_whole_shape_by_that_name()
    {
        ValueDescriptor[] inputs = [new("x:0", DataType.Float, [null], [null])];
        Assert.That(DimensionSizes.Parse(["x:0=5"]).Resolve(inputs).Shapes["x:0"], Is.EqualTo(new long[] { 5 }));
    }

    [TestCase("image=1x4x8x8", "fixes at 3")]
    [TestCase("image=1x3x8", "4")]
    [TestCase("depth=3", "names neither an input")]
    [TestCase("audio:2=3", "names neither an input")]
    public void Bindings_that_contradict_the_model_are_refused(string binding, string reason)
    {
        var error = Assert.Throws<InvalidOptionsException>(() => DimensionSizes.Parse([binding]).Resolve(Inputs));
        Assert.That(error!.Message, Does.Contain(reason));
    }

    [TestCase("image=1xAx8x8")]
    [TestCase("T=0")]
    [TestCase("=3")]
    public void Malformed_bindings_are_refused_when_parsed(string binding) =>
        Assert.Throws<InvalidOptionsException>(() => DimensionSizes.Parse([binding]));
}
