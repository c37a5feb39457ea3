using System.Reflection;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Runtime.Tests.Support;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Runtime.Tests;

/// <summary>The official ONNX Runtime package as this project sets it up: its native library, sessions and tensors.</summary>
public class OfficialPackageTests
{
    private const string Gemm = "test_gemm_default_matrix_bias";

    [Test]
    public void TheNativeLibraryIsTheManagedPackagesOwnVersion()
    {
        var package = typeof(OrtEnv).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        TestContext.Out.WriteLine($"ONNX Runtime {OnnxRuntimeEnvironment.Version} (package {package}): {string.Join(", ", OnnxRuntimeEnvironment.AvailableProviders)}");
        Assert.That(package, Does.StartWith(OnnxRuntimeEnvironment.Version));
        Assert.That(OnnxRuntimeEnvironment.AvailableProviders, Does.Contain("CPUExecutionProvider"));
    }

    [Test]
    public void RunsAGemmCaseToOnnxsExpectedOutput()
    {
        var dataSet = Path.Combine(TestData.Case("node", Gemm), "test_data_set_0");
        var inputs = TestData.Files(dataSet, "input").Select(TestVectorTensor.Read).ToArray();
        var expected = TestVectorTensor.Read(TestData.Files(dataSet, "output")[0]);
        using var session = OnnxRuntimeSessions.Open(TestData.Model("node", Gemm));
        Assert.That(session.InputNames, Is.EqualTo(new[] { "a", "b", "c" }));
        var values = inputs.Select(i => i.ToOrtValue()).ToArray();
        try
        {
            using var outputs = OnnxRuntimeSessions.Run(session, session.InputNames.ToArray(), values, session.OutputNames.ToArray());
            Assert.That(expected.Mismatch(TestVectorTensor.FromOrtValue(outputs[0])!), Is.Null);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    // The package carries float16 as its own Float16 struct; the runner moves System.Half through it both ways.
    [TestCase(DataType.Float16)]
    [TestCase(DataType.Float)]
    [TestCase(DataType.Double)]
    [TestCase(DataType.Int64)]
    [TestCase(DataType.Int32)]
    [TestCase(DataType.Uint8)]
    [TestCase(DataType.Bool)]
    public void EveryCarriedElementTypeRoundTripsThroughTheRunner(DataType elementType)
    {
        var runner = new OnnxRuntimeModelRunner(new OnnxRuntimeRunnerOptions { IntraOpNumThreads = 1 });
        using var session = runner.Open(TinyModels.Identity(elementType));
        Array values = elementType switch
        {
            DataType.Float16 => new[] { (Half)0.5f, (Half)(-2f), Half.MaxValue, Half.Epsilon, (Half)1e-3f, Half.NegativeInfinity },
            DataType.Float => new[] { 0.5f, -2f, float.MaxValue, float.Epsilon, 1e-30f, float.NegativeInfinity },
            DataType.Double => new[] { 0.5, -2, double.MaxValue, double.Epsilon, 1e-300, double.NegativeInfinity },
            DataType.Int64 => new[] { 0L, -1, long.MaxValue, long.MinValue, 7, 8 },
            DataType.Int32 => new[] { 0, -1, int.MaxValue, int.MinValue, 7, 8 },
            DataType.Uint8 => new byte[] { 0, 1, 127, 128, 254, 255 },
            _ => new[] { true, false, true, true, false, false },
        };
        var y = session.Run(new Dictionary<string, TensorData> { ["X"] = new(elementType, [2, 3], values) })["Y"];
        Assert.That(y.ElementType, Is.EqualTo(elementType));
        Assert.That(y.Shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(y.Values, Is.EqualTo(values));
    }
}
