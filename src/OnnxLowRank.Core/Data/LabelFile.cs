using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>Class labels, one per sample: an IDX labels file (gzip or not) or a 1-D integer .npy array.</summary>
public static class LabelFile
{
    public static int[] Read(string path)
    {
        if (!File.Exists(path))
            throw new InvalidInputDataException("The labels file does not exist.", path, advice: "check the --labels path");
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            using var stream = File.OpenRead(path);
            return ToLabels(NpyArray.Read(stream, path), path);
        }
        var idx = IdxFile.Read(path);
        if (idx.Dimensions.Length != 1)
            throw new InvalidInputDataException($"A labels file has one dimension, this one has {idx.Dimensions.Length}.", path,
                advice: "give the labels-idx1 file, not the images");
        return Array.ConvertAll(idx.Values, b => (int)b);
    }

    /// <summary>The values of a 1-D integer tensor as labels.</summary>
    public static int[] ToLabels(TensorData tensor, string path)
    {
        if (tensor.Shape.Length != 1)
            throw new InvalidInputDataException($"Labels must be a 1-D array, got shape [{string.Join(",", tensor.Shape)}].", path);
        return tensor.Values switch
        {
            long[] l => Array.ConvertAll(l, v => checked((int)v)),
            int[] i => i,
            byte[] b => Array.ConvertAll(b, v => (int)v),
            _ => throw new InvalidInputDataException($"Labels must be integers, got {tensor.ElementType}.", path),
        };
    }
}
