import Foundation

/// The discrete Fourier transform by its definition, in double precision: the reference an
/// FFT is checked against (O(n²); for test sizes only).
public enum DirectDFT {
    /// Bins 0…n/2 of the transform of `samples`: (real, imaginary).
    public static func transform(_ samples: [Float]) -> [(Double, Double)] {
        let n = samples.count
        return (0...(n / 2)).map { bin in
            var re = 0.0, im = 0.0
            for (index, sample) in samples.enumerated() {
                // Reduce the angle's integer part first, so large products stay accurate.
                let turns = Double((bin * index) % n) / Double(n)
                re += Double(sample) * cos(2 * Double.pi * turns)
                im -= Double(sample) * sin(2 * Double.pi * turns)
            }
            return (re, im)
        }
    }
}
