namespace OnnxLowRank.Runtime.Tests;

/// <summary>
/// The bundled ONNX Runtime has no CUDA provider library, so asking for CUDA must say what is missing.
/// With ONNXRUNTIME_LIB pointing at a build that has it, appending CUDA must work instead.
/// </summary>
public class CudaProviderTests
{
    private static bool CudaProviderPresent =>
        File.Exists(Path.Combine(Path.GetDirectoryName(OrtEnv.Instance().LibraryPath)!, "libonnxruntime_providers_cuda.so"));

    [Test]
    public void AppendingCudaWithoutItsProviderLibraryNamesWhatIsMissing()
    {
        using var options = new SessionOptions();
        if (CudaProviderPresent)
        {
            Assert.That(() => options.AppendExecutionProvider_CUDA(0), Throws.Nothing);
            return;
        }
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
        var model = Support.TinyModels.Identity(Onnx.Protos.TensorProto.Types.DataType.Float);
        if (CudaProviderPresent)
        {
            using var session = runner.Open(model);
            Assert.That(session.Outputs.Single().Name, Is.EqualTo("Y"));
            return;
        }
        var error = Assert.Throws<OnnxRuntimeException>(() => runner.Open(model));
        Assert.That(error!.Message, Does.Contain("CUDA"));
    }
}
