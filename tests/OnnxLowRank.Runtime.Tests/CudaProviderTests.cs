namespace OnnxLowRank.Runtime.Tests;

/// <summary>The bundled ONNX Runtime has no CUDA provider library: asking for CUDA must say what is missing.</summary>
public class CudaProviderTests
{
    [Test]
    public void AppendingCudaWithoutItsProviderLibraryNamesWhatIsMissing()
    {
        using var options = new SessionOptions();
        var error = Assert.Throws<OnnxRuntimeException>(() => options.AppendExecutionProvider_CUDA(0));
        TestContext.Out.WriteLine(error!.Message);
        // ONNX Runtime's own message names the provider library it failed to load ...
        Assert.That(error.Reason, Does.Match("Failed to load library .*libonnxruntime_providers_(shared|cuda)"));
        // ... and the advice says what CUDA needs.
        Assert.That(error.Message, Does.Contain("CUDA execution provider needs").And.Contain("libonnxruntime_providers_cuda"));
        Assert.That(error.ErrorCode, Is.EqualTo(ErrorCode.Fail));
    }

    [Test]
    public void TheRunnerReportsTheSameWhenCudaIsRequested()
    {
        var runner = new OnnxRuntimeModelRunner(new OnnxRuntimeRunnerOptions { Provider = ExecutionProvider.Cuda });
        var error = Assert.Throws<OnnxRuntimeException>(() => runner.Open(Support.TinyModels.Identity(Onnx.Protos.TensorProto.Types.DataType.Float)));
        Assert.That(error!.Message, Does.Contain("CUDA"));
    }
}
