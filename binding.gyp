{
  "targets": [
    {
      "target_name": "batch_udp",
      "sources": ["native/batch_udp.cc"],
      "cflags_cc": ["-O2", "-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
