using System.Diagnostics;
using Google.Protobuf;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime.Tests.Support;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Runtime.Tests;

/// <summary>
/// ONNX Runtime allocates every session's tensors from one arena capped at <see cref="MemoryLimit"/>
/// (1 GiB in these tests, see <see cref="EngineMemoryLimit"/>).
/// </summary>
public class MemoryLimitTests
{
    [Test]
    public void AConvPaddedBy2To31EndsInATypedErrorWithoutAllocatingItsOutput()
    {
        // A 1x1 Conv on a 4x4 image, padded by 2^31 rows: an output of 2^31 x 4 floats, 32 GiB.
        var path = WriteModel(PaddedConv(1L << 31));
        using var session = OnnxRuntimeSessions.Open(path);
        using var x = OrtValue.CreateTensorValueFromMemory(new float[16], [1, 1, 4, 4]);
        var peakBefore = PeakResidentBytes();
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeSessions.Run(session, ["X"], [x], ["Y"], path))!;

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(error.MemoryLimitReached, Is.True, error.Message);
        Assert.That(error.FilePath, Is.EqualTo(path), "the error names the model");
        Assert.That(error.Reason, Does.Contain("memory limit of 1 GiB"));
        Assert.That(error.Advice, Does.Contain(MemoryLimit.EnvironmentVariable).And.Contain("pads"));
        Assert.That(PeakResidentBytes() - peakBefore, Is.LessThan(EngineMemoryLimit.Bytes), "the refused output was never allocated beyond the cap");
    }

    [Test]
    public void TheSameConvWithPadsThatFitTheCapRunsAndTheSessionStaysUsable()
    {
        using var session = OnnxRuntimeSessions.Open(OnnxModelBytes(PaddedConv(1L << 31)));
        using var x = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(1, 16).Select(v => (float)v).ToArray(), [1, 1, 4, 4]);
        Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeSessions.Run(session, ["X"], [x], ["Y"]));

        // 2^16 padded rows: 1 MiB of output, well under the cap; the arena refused the earlier request whole, so nothing leaked.
        using var fitting = OnnxRuntimeSessions.Open(OnnxModelBytes(PaddedConv(1L << 16)));
        using var outputs = OnnxRuntimeSessions.Run(fitting, ["X"], [x], ["Y"]);
        var y = outputs[0].GetTensorDataAsSpan<float>();
        Assert.That(outputs[0].GetTensorTypeAndShape().Shape, Is.EqualTo(new long[] { 1, 1, (1L << 16) + 4, 4 }));
        // Weight 2, bias 0: the padded rows are 0 and the last four rows are twice the input.
        Assert.That(y[..4].ToArray(), Is.All.EqualTo(0f));
        Assert.That(y[^16..].ToArray(), Is.EqualTo(Enumerable.Range(1, 16).Select(v => 2f * v).ToArray()));
    }

    [Test]
    public void TheCapInForceIsTheOneSetBeforeTheFirstSessionAndCannotChangeAfterwards()
    {
        using var session = OnnxRuntimeSessions.Open(OnnxModelBytes(PaddedConv(1)));
        Assert.That(MemoryLimit.Bytes, Is.EqualTo(EngineMemoryLimit.Bytes));
        Assert.That(() => MemoryLimit.Set(EngineMemoryLimit.Bytes * 2), Throws.InvalidOperationException);
        Assert.That(() => MemoryLimit.Set(EngineMemoryLimit.Bytes), Throws.Nothing);
    }

    [TestCase("1073741824", 1073741824L)]
    [TestCase("512M", 512L << 20)]
    [TestCase("4G", 4L << 30)]
    [TestCase("1.5g", 3L << 29)]
    [TestCase(" 2T ", 2L << 40)]
    public void SizesAreBytesOrBinaryUnits(string text, long expected) => Assert.That(MemoryLimit.Parse(text), Is.EqualTo(expected));

    [TestCase("")]
    [TestCase("lots")]
    [TestCase("-1G")]
    [TestCase("0")]
    [TestCase("9999999T")]
    public void OtherSizesAreRefused(string text) => Assert.That(() => MemoryLimit.Parse(text), Throws.InstanceOf<FormatException>());

    // Y = Conv(X, W = [[[[2]]]], pads = [rows, 0, 0, 0]): rows of zeros above a doubled image. The image
    // height is symbolic, so ONNX Runtime cannot size the output at load and meets it only when run.
    private static ModelProto PaddedConv(long rows)
    {
        var node = TinyModels.Node("Conv", ["X", "W"], ["Y"]);
        node.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { rows, 0, 0, 0 } });
        return TinyModels.Model(new GraphProto
        {
            Name = "padded_conv",
            Node = { node },
            Initializer = { TinyModels.FloatInitializer("W", [1, 1, 1, 1], [2f]) },
            Input = { TinyModels.Value("X", DataType.Float, 1, 1, "height", 4) },
            Output = { TinyModels.Value("Y", DataType.Float, 1, 1, "padded_height", 4) },
        });
    }

    private static byte[] OnnxModelBytes(ModelProto model) => model.ToByteArray();

    private static string WriteModel(ModelProto model)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"padded-conv-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static long PeakResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
