using System.IO.Compression;
using Microsoft.ML.OnnxRuntime;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli.Tests;

/// <summary>Accuracy computed without the tool: the IDX bytes decoded here and run through ONNX Runtime directly.</summary>
internal static class ReferenceRun
{
    public static double Accuracy(string modelPath, int batch, int? limit = null)
    {
        var images = Gunzip(RepositoryFiles.TestImages);
        var labels = Gunzip(RepositoryFiles.TestLabels);
        var count = Math.Min((images[4] << 24) | (images[5] << 16) | (images[6] << 8) | images[7], limit ?? int.MaxValue);
        using var session = OnnxRuntimeSessions.Open(modelPath);
        var correct = 0;
        for (var start = 0; start < count; start += batch)
        {
            var n = Math.Min(batch, count - start);
            var pixels = new float[n * 784];
            for (var i = 0; i < pixels.Length; i++) pixels[i] = (float)((images[16 + (start * 784) + i] / 255.0 - 0.2860) / 0.3530);
            using var input = OrtValue.CreateTensorValueFromMemory(pixels, [n, 1, 28, 28]);
            using var outputs = OnnxRuntimeSessions.Run(session, ["input"], [input], ["logits"]);
            var logits = outputs.First().GetTensorDataAsSpan<float>().ToArray();
            for (var r = 0; r < n; r++)
            {
                var best = 0;
                for (var c = 1; c < 10; c++)
                {
                    if (logits[(r * 10) + c] > logits[(r * 10) + best]) best = c;
                }
                if (best == labels[8 + start + r]) correct++;
            }
        }
        return (double)correct / count;
    }

    private static byte[] Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return bytes.ToArray();
    }
}
