using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Cli.Reports;

internal static class ModelSummaries
{
    public static ModelSummary Of(string path, ModelProto model)
    {
        var full = Path.GetFullPath(path);
        return new ModelSummary(full, File.Exists(full) ? new FileInfo(full).Length : 0, ModelParameters.Count(model));
    }
}
