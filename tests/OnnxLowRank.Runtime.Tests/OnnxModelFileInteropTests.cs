using OnnxLowRank.Onnx;
using OnnxLowRank.Runtime.Tests.Support;

namespace OnnxLowRank.Runtime.Tests;

/// <summary>Where the two layers meet: ONNX Runtime runs what OnnxLowRank.Onnx loads and writes back exactly as it runs the file.</summary>
public class OnnxModelFileInteropTests
{
    [TestCase("pytorch-converted", "test_Conv2d_groups")]
    [TestCase("pytorch-converted", "test_ConvTranspose2d")]
    [TestCase("pytorch-converted", "test_Conv3d_dilated_strided")]
    [TestCase("node", "test_conv_with_strides_padding")]
    [TestCase("node", "test_gemm_all_attributes")]
    [TestCase("node", "test_matmul_4d")]
    [TestCase("pytorch-operator", "test_operator_conv")]
    public void SessionFromWrittenBytesMatchesSessionFromPath(string suite, string name)
    {
        var modelPath = TestData.Model(suite, name);
        var dataSet = Path.Combine(TestData.Case(suite, name), "test_data_set_0");
        var inputs = TestData.Files(dataSet, "input").Select(TestVectorTensor.Read).ToArray();
        var expected = TestData.Files(dataSet, "output").Select(TestVectorTensor.Read).ToArray();
        using var options = OnnxRuntimeSessions.Options(intraOpThreads: 1);

        using var fromPath = OnnxRuntimeSessions.Open(modelPath, options);
        using var fromBytes = OnnxRuntimeSessions.Open(OnnxModelFile.ToBytes(OnnxModelFile.Load(modelPath)), options);

        Assert.That(fromBytes.InputNames, Is.EqualTo(fromPath.InputNames));
        Assert.That(fromBytes.OutputNames, Is.EqualTo(fromPath.OutputNames));
        var viaPath = Run(fromPath, inputs);
        var viaBytes = Run(fromBytes, inputs);
        for (var j = 0; j < expected.Length; j++)
        {
            Assert.That(viaPath[j].Mismatch(viaBytes[j], rtol: 0, atol: 0), Is.Null, "bytes and path give identical outputs");
            Assert.That(expected[j].Mismatch(viaBytes[j]), Is.Null, "and ONNX's expected output");
        }
    }

    private static TestVectorTensor[] Run(InferenceSession session, TestVectorTensor[] inputs)
    {
        var values = inputs.Select(i => i.ToOrtValue()).ToArray();
        try
        {
            using var outputs = OnnxRuntimeSessions.Run(session, session.InputNames.Take(values.Length).ToArray(), values, session.OutputNames.ToArray());
            return outputs.Select(o => TestVectorTensor.FromOrtValue(o)!).ToArray();
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
