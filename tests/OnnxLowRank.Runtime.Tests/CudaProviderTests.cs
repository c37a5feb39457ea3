using OnnxLowRank.Runtime.Tests.Support;

namespace OnnxLowRank.Runtime.Tests;

/// <summary>
/// The default build carries ONNX Runtime's CPU package, which has no CUDA provider: asking for CUDA must
/// say what is missing and how to get it. The GPU build (-p:OnnxRuntimeFlavour=Gpu) has the provider; on a
/// machine without CUDA 13 and cuDNN 9 its load fails with the same advice. No GPU runs here.
/// </summary>
public class CudaProviderTests
{
    private static bool BuiltWithCuda => OnnxRuntimeEnvironment.AvailableProviders.Contains("CUDAExecutionProvider");

    [Test]
    public void TheRunnerSaysWhatCudaNeedsWhenItCannotBeLoaded()
    {
        var runner = new OnnxRuntimeModelRunner(new OnnxRuntimeRunnerOptions { Provider = ExecutionProvider.Cuda });
        var model = TinyModels.Identity(Onnx.Protos.TensorProto.Types.DataType.Float);
        OnnxRuntimeException error;
        try
        {
            using var session = runner.Open(model);
            Assert.That(BuiltWithCuda, "a session on CUDA opened, so this build must have the CUDA provider");
            Assert.That(session.Outputs.Single().Name, Is.EqualTo("Y"));
            return;
        }
        catch (OnnxRuntimeException e)
        {
            error = e;
        }
        TestContext.Out.WriteLine(error.Message);
        Assert.That(error.ErrorCode, Is.EqualTo(ErrorCode.Fail));
        Assert.That(error.Advice, Does.Contain("-p:OnnxRuntimeFlavour=Gpu").And.Contain("CUDA 13").And.Contain("cuDNN 9").And.Contain("--ep cpu"));
        if (BuiltWithCuda)
            // ONNX Runtime could not load its CUDA provider; the message names the CUDA libraries this machine lacks.
            Assert.That(error.Reason, Does.Contain("Failed to load").And.Contain("not found on this machine: ").And.Contain("libcudart.so.13"));
        else
            Assert.That(error.Reason, Does.Contain("has no CUDA execution provider").And.Contain("CPUExecutionProvider"));
    }
}
