import Foundation
import MixDSP
import Testing

@Suite("Fast log2 and exp2")
struct FastMathTests {
    @Test("log2 within 2 units in the last place of libm from 1e-12 to 1e6")
    func log2Accuracy() {
        var x: Float = 1e-12
        while x < 1e6 {
            let exact = Foundation.log2(x)
            #expect(abs(FastMath.log2(x) - exact) <= max(2e-7, 2 * exact.magnitude.ulp), "\(x)")
            x *= 1.0173
        }
    }

    @Test("exp2 within 1e-6 relative of libm from −60 to 60")
    func exp2Accuracy() {
        for x in stride(from: -60 as Float, through: 60, by: 0.0137) {
            let exact = Foundation.exp2(Double(x))
            #expect(abs(Double(FastMath.exp2(x)) / exact - 1) < 1e-6, "\(x)")
        }
    }

    @Test("decibels and amplitude invert each other")
    func roundTrip() {
        for db in stride(from: -120 as Float, through: 24, by: 0.5) {
            #expect(abs(FastMath.decibels(FastMath.amplitude(db)) - db) < 1e-4)
        }
    }
}

@Suite("Fast math on eight lanes")
struct FastMathSIMDTests {
    @Test("the SIMD versions give the scalar versions' bits, lane by lane")
    func lanesMatchScalar() {
        var x = SIMD8<Float>(1e-9, 0.001, 0.3, 0.5, 0.9999, 1, 7.5, 1000)
        for _ in 0..<200 {
            let logs = FastMath.log2(x)
            let exps = FastMath.exp2((x - 0.5) * 40)
            for lane in 0..<8 {
                #expect(logs[lane] == FastMath.log2(x[lane]))
                #expect(exps[lane] == FastMath.exp2((x[lane] - 0.5) * 40))
            }
            x *= 1.0371
        }
    }
}
