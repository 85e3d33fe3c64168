// The engine's tests take the DSP layers' test support (signals, the direct DFT, the
// oversampled true-peak scan, allocation counts) through this module too.
@_exported import MixTestSupport
