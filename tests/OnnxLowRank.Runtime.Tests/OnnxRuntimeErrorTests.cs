using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Runtime.Tests.Support;

namespace OnnxLowRank.Runtime.Tests;

/// <summary>
/// ONNX Runtime's failures arrive as this project's <see cref="OnnxRuntimeException"/>, carrying the error
/// code the official package writes into its message, ONNX Runtime's own message, and the model file.
/// </summary>
public class OnnxRuntimeErrorTests
{
    [Test]
    public void GarbageBytesAreRefusedAsInvalidProtobuf()
    {
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeSessions.Open([0x0a, 0xff, 0xff, 0xff, 0x01, 0x02]));
        Assert.That(error!.ErrorCode, Is.EqualTo(ErrorCode.InvalidProtobuf));
        Assert.That(error.Reason, Does.Not.StartWith("[ErrorCode"));
        Assert.That(error, Is.InstanceOf<OnnxLowRankException>());
    }

    [Test]
    public void AMissingModelFileIsNamed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.onnx");
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeSessions.Open(path));
        Assert.That(error!.FilePath, Is.EqualTo(path));
        Assert.That(error.ErrorCode, Is.EqualTo(ErrorCode.NoSuchFile));
    }

    [Test]
    public void AnUnknownInputNameIsReportedByOnnxRuntime()
    {
        using var session = OnnxRuntimeSessions.Open(TestData.Model("node", "test_relu"));
        using var x = OrtValue.CreateTensorValueFromMemory(new float[60], [3, 4, 5]);
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeSessions.Run(session, ["not_an_input"], [x], session.OutputNames.ToArray()));
        Assert.That(error!.ErrorCode, Is.EqualTo(ErrorCode.InvalidArgument));
        Assert.That(error.Reason, Does.Contain("not_an_input"));
    }

    [Test]
    public void AWrongShapeIsReportedByOnnxRuntimeNamingTheModelFile()
    {
        var path = TestData.Model("node", "test_relu");
        using var session = OnnxRuntimeSessions.Open(path);
        using var x = OrtValue.CreateTensorValueFromMemory(new float[6], [2, 3]);
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeSessions.Run(session, session.InputNames.ToArray(), [x], session.OutputNames.ToArray(), path));
        Assert.That(error!.ErrorCode, Is.EqualTo(ErrorCode.InvalidArgument));
        Assert.That(error.FilePath, Is.EqualTo(path));
    }

    [Test]
    public void TheRunnersRunErrorsNameTheFileItOpened()
    {
        var path = TestData.Model("node", "test_relu");
        var runner = new OnnxRuntimeModelRunner();
        using var session = runner.OpenFile(path);
        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(new Dictionary<string, Core.Execution.TensorData>
        {
            ["x"] = Core.Execution.TensorData.FromFloats([2, 3], new float[6]),
        }));
        Assert.That(error!.FilePath, Is.EqualTo(Path.GetFullPath(path)));
        Assert.That(error.ErrorCode, Is.EqualTo(ErrorCode.InvalidArgument));
    }
}
