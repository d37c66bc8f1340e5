;; The search for LF that pong runs over every byte of a request: WebAssembly 128-bit vectors,
;; 64 bytes a step. lf_scan_module.ts holds the module built from this source (`deno task wasm`).
(module
  (memory (export "memory") 16)
  ;; Index of the first LF (10) in memory[0, len), or -1: 64 bytes a step, then 16, then one.
  (func (export "indexOfLf") (param $len i32) (result i32)
    (local $i i32) (local $end i32) (local $lf v128)
    (local.set $lf (i8x16.splat (i32.const 10)))
    (local.set $end (i32.and (local.get $len) (i32.const -64)))
    (block $stop64
      (loop $step64
        (br_if $stop64 (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $stop64
          (v128.any_true
            (v128.or
              (v128.or
                (i8x16.eq (v128.load offset=0 (local.get $i)) (local.get $lf))
                (i8x16.eq (v128.load offset=16 (local.get $i)) (local.get $lf)))
              (v128.or
                (i8x16.eq (v128.load offset=32 (local.get $i)) (local.get $lf))
                (i8x16.eq (v128.load offset=48 (local.get $i)) (local.get $lf))))))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $step64)))
    (block $none
      (loop $step1
        (br_if $none (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 10)) (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $step1)))
    (i32.const -1)))
