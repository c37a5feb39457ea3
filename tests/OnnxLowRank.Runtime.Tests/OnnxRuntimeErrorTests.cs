using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Runtime.Tests.Support;

namespace OnnxLowRank.Runtime.Tests;

/// <summary>ONNX Runtime's failures arrive as <see cref="OnnxRuntimeException"/> carrying its own code and message.</summary>
public class OnnxRuntimeErrorTests
{
    [Test]
    public void GarbageBytesAreRefusedAsInvalidProtobuf()
    {
        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession([0x0a, 0xff, 0xff, 0xff, 0x01, 0x02]));
        Assert.That(error!.ErrorCode, Is.EqualTo(ErrorCode.InvalidProtobuf));
        Assert.That(error, Is.InstanceOf<OnnxLowRankException>());
    }

    [Test]
    public void AMissingModelFileIsNamed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.onnx");
        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(path));
        Assert.That(error!.FilePath, Is.EqualTo(path));
        Assert.That(error.ErrorCode, Is.EqualTo(ErrorCode.NoSuchFile));
    }

    [Test]
    public void AnUnknownInputNameIsReportedByOnnxRuntime()
    {
        using var session = new InferenceSession(TestData.Model("node", "test_relu"));
        using var x = OrtValue.CreateTensorValueFromMemory(new float[60], [3, 4, 5]);
        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(["not_an_input"], [x], session.OutputNames.ToArray()));
        Assert.That(error!.ErrorCode, Is.EqualTo(ErrorCode.InvalidArgument));
        Assert.That(error.Reason, Does.Contain("not_an_input"));
    }

    [Test]
    public void AWrongShapeIsReportedByOnnxRuntime()
    {
        using var session = new InferenceSession(TestData.Model("node", "test_relu"));
        using var x = OrtValue.CreateTensorValueFromMemory(new float[6], [2, 3]);
        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(session.InputNames.ToArray(), [x], session.OutputNames.ToArray()));
        Assert.That(error!.ErrorCode, Is.EqualTo(ErrorCode.InvalidArgument));
    }

    [Test]
    public void AnArrayThatDoesNotFillItsShapeIsRefusedBeforeOnnxRuntimeSeesIt()
    {
        Assert.That(() => OrtValue.CreateTensorValueFromMemory(new float[5], [2, 3]), Throws.ArgumentException);
    }

    [Test]
    public void ReadingATensorAsTheWrongElementTypeIsRefused()
    {
        using var x = OrtValue.CreateTensorValueFromMemory(new long[] { 1, 2 }, [2]);
        Assert.That(() => x.GetTensorDataAsSpan<int>().Length, Throws.InvalidOperationException);
        Assert.That(x.GetTensorDataAsArray<long>(), Is.EqualTo(new long[] { 1, 2 }));
    }
}
