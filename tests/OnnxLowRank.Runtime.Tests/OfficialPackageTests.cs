using OnnxLowRank.Runtime.Tests.Support;

namespace OnnxLowRank.Runtime.Tests;

public class InferenceSessionTests
{
    private const string Gemm = "test_gemm_default_matrix_bias";

    [Test]
    public void LoadsTheBundledLibraryBesideTheAssemblies()
    {
        var env = OrtEnv.Instance();
        TestContext.Out.WriteLine($"ONNX Runtime {env.GetVersionString()} from {env.LibraryPath}: {string.Join(", ", env.GetAvailableProviders())}");
        var configured = Environment.GetEnvironmentVariable("ONNXRUNTIME_LIB");
        if (string.IsNullOrEmpty(configured))
        {
            Assert.That(env.GetVersionString(), Is.EqualTo("1.30.0"));
            Assert.That(Path.GetDirectoryName(env.LibraryPath), Is.EqualTo(Path.GetDirectoryName(typeof(InferenceSessionTests).Assembly.Location)));
        }
        else
        {
            Assert.That(env.LibraryPath, Is.EqualTo(configured));
        }
        Assert.That(env.GetAvailableProviders(), Does.Contain("CPUExecutionProvider"));
    }

    [Test]
    public void RunsAGemmCaseToOnnxsExpectedOutput()
    {
        var dataSet = Path.Combine(TestData.Case("node", Gemm), "test_data_set_0");
        var inputs = TestData.Files(dataSet, "input").Select(TestVectorTensor.Read).ToArray();
        var expected = TestVectorTensor.Read(TestData.Files(dataSet, "output")[0]);
        using var session = new InferenceSession(TestData.Model("node", Gemm));
        Assert.That(session.InputNames, Is.EqualTo(new[] { "a", "b", "c" }));
        var values = inputs.Select(i => i.ToOrtValue()).ToArray();
        try
        {
            using var outputs = session.Run(session.InputNames.ToArray(), values, session.OutputNames.ToArray());
            Assert.That(expected.Mismatch(TestVectorTensor.FromOrtValue(outputs[0])!), Is.Null);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
