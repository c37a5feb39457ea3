using System.Diagnostics;
using Google.Protobuf;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime.Tests.Support;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Runtime.Tests;

/// <summary>
/// Every run creates input values (pinned arrays), output values and ONNX Runtime strings; 10,000 runs must
/// not grow the process. The tensors are 64 KB each so that leaking either side would add over 600 MB.
/// </summary>
public class ResourceLeakTests
{
    private const int Elements = 16384;

    [Test]
    public void TenThousandRunsKeepResidentMemoryFlat()
    {
        using var options = OnnxRuntimeSessions.Options(intraOpThreads: 1);
        using var session = OnnxRuntimeSessions.Open(AddBias().ToByteArray(), options);
        var input = TinyModels.Ramp(Elements, 3);

        void RunOnce()
        {
            using var x = OrtValue.CreateTensorValueFromMemory((float[])input.Clone(), [Elements]);
            using var outputs = OnnxRuntimeSessions.Run(session, ["X"], [x], ["Y"]);
            if (outputs[0].GetTensorDataAsSpan<float>()[0] != input[0] + 1f) Assert.Fail("wrong result");
        }

        var (baseline, final) = MeasureResidentGrowth(RunOnce);
        Assert.That(final, Is.LessThanOrEqualTo(baseline * 1.10), $"resident memory grew from {baseline / 1e6:F1} MB to {final / 1e6:F1} MB");
    }

    [Test]
    public void TenThousandRunnerRunsKeepResidentMemoryFlat()
    {
        var runner = new OnnxRuntimeModelRunner(new OnnxRuntimeRunnerOptions { IntraOpNumThreads = 1 });
        using var session = runner.Open(AddBias());
        var input = TensorData.FromFloats([Elements], TinyModels.Ramp(Elements, 3));

        void RunOnce()
        {
            var y = session.Run(new Dictionary<string, TensorData> { ["X"] = input })["Y"];
            if (y.AsFloats()[0] != input.AsFloats()[0] + 1f) Assert.Fail("wrong result");
        }

        var (baseline, final) = MeasureResidentGrowth(RunOnce);
        Assert.That(final, Is.LessThanOrEqualTo(baseline * 1.10), $"resident memory grew from {baseline / 1e6:F1} MB to {final / 1e6:F1} MB");
    }

    /// <summary>Resident memory after 100 runs and after 10,000, each measured after a full collection.</summary>
    private static (long Baseline, long Final) MeasureResidentGrowth(Action run)
    {
        for (var i = 0; i < 100; i++) run();
        var baseline = ResidentBytes();
        for (var i = 100; i < 10_000; i++) run();
        var final = ResidentBytes();
        TestContext.Out.WriteLine($"resident: {baseline / 1e6:F1} MB after 100 runs, {final / 1e6:F1} MB after 10,000");
        return (baseline, final);
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>Y = X + 1 over a vector of 16,384 floats.</summary>
    private static ModelProto AddBias() => TinyModels.Model(new GraphProto
    {
        Name = "add_bias",
        Input = { TinyModels.Value("X", DataType.Float, (long)Elements) },
        Output = { TinyModels.Value("Y", DataType.Float, (long)Elements) },
        Initializer = { TinyModels.FloatInitializer("B", [1], [1f]) },
        Node = { TinyModels.Node("Add", ["X", "B"], ["Y"]) },
    });
}
