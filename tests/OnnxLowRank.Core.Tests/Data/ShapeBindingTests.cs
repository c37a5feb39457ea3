using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Data;

public class ShapeBindingTests
{
    private static readonly ValueDescriptor[] Inputs =
    [
        new("image", DataType.Float, [null, 3, null, null], ["batch", null, "height", "width"]),
        new("mask", DataType.Float, [null, null], ["batch", "tokens"]),
    ];

    [Test]
    public void Named_shapes_and_symbolic_dimensions_bind()
    {
        var shapes = ShapeBinding.Parse(["image=2x3x224x200", "batch=4", "tokens=7"]).Resolve(Inputs);
        Assert.That(shapes["image"], Is.EqualTo(new long[] { 2, 3, 224, 200 }));
        Assert.That(shapes["mask"], Is.EqualTo(new long[] { 4, 7 }));
    }

    [Test]
    public void Bare_shapes_go_to_the_inputs_in_order_and_the_rest_default_to_one()
    {
        var shapes = ShapeBinding.Parse(["1x3x32x32"]).Resolve(Inputs);
        Assert.That(shapes["image"], Is.EqualTo(new long[] { 1, 3, 32, 32 }));
        Assert.That(shapes["mask"], Is.EqualTo(new long[] { 1, 1 }));
    }

    [TestCase("image=1x4x8x8", "fixed at 3")]
    [TestCase("image=1x3x8", "has 3 dimensions")]
    [TestCase("image=1xAx8x8", "not a list")]
    [TestCase("depth=3", "neither an input")]
    public void Bindings_that_contradict_the_model_are_refused(string binding, string reason)
    {
        var error = Assert.Throws<InvalidInputDataException>(() => ShapeBinding.Parse([binding]).Resolve(Inputs));
        Assert.That(error!.Message, Does.Contain(reason));
    }
}
