// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Write the seed corpora of the codec fuzz targets: valid encodings made by
 * the encoders, one file per payload, under OUTDIR/<target>/seed-<what>.
 * Not run by make check: run `make regen-fuzz-corpus` after a codec change
 * and commit what changed.
 *
 *   gen-corpus OUTDIR
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ocxlpmem/codec.h>

static const char *outdir;
static uint8_t buf[64 * 1024];

static void die(const char *what, const char *name, int r)
{
	fprintf(stderr, "gen-corpus: %s %s: %s\n", what, name, strerror(r < 0 ? -r : r));
	exit(EXIT_FAILURE);
}

static void put(const char *target, const char *name, const void *data, ssize_t n)
{
	char path[4096];
	FILE *f;

	if (n < 0)
		die("encoding", name, (int)n);
	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die("creating", path, errno);
	snprintf(path, sizeof(path), "%s/%s/seed-%s", outdir, target, name);
	f = fopen(path, "we");
	if (!f)
		die("creating", path, errno);
	if (fwrite(data, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0)
		die("writing", path, errno);
}

static const struct ocxlpmem_smart smart_two = {
	.count = 2,
	.attrs = {
		{ .id = OCXLPMEM_SMART_TEMPERATURE, .flags = 0x23, .current = 100,
		  .threshold = 10, .worst = 95, .raw = 41 },
		{ .id = OCXLPMEM_SMART_POWER_ON_HOURS, .flags = 0x102, .current = 100,
		  .worst = 100, .raw = 0x2710 },
	},
};

static const struct ocxlpmem_capabilities caps = {
	.fw_version = "1.2.3", .serial = 0x0102030405060708ull, .memory_size = 64ull << 30,
	.scm_revision = 0x12, .read_latency_ns = 320, .readiness_timeout_s = 15,
	.memory_available_timeout_s = 4095, .max_dump_size = 1u << 20,
	.admin_buffer_size = 4096, .functions = 0x7FFFE,
	.timeout_ms = { 100, 1000, 16000, 0, 2000, 100, 100, 1000 },
};

static const struct ocxlpmem_firmware_info fwinfo = {
	.running_version = "FW-1.0", .staged_version = "FW-1.1", .update_state = 1,
	.bytes_received = 0x8000, .max_image_size = 0x400000,
};

static void gen_reply(void)
{
	static const struct ocxlpmem_error_log_entry none = { .present = false };
	ssize_t n;

	n = ocxlpmem_reply_encode(OCXLPMEM_STATUS_SUCCESS, 8, buf, sizeof(buf));
	memcpy(buf + 8, "\x05\0\0\0\0\0\0\0", 8);
	put("fuzz-reply", "success-events", buf, n + 8);
	put("fuzz-reply", "bad-data-parm", buf,
	    ocxlpmem_reply_encode(OCXLPMEM_STATUS_BAD_DATA_PARM, 0, buf, sizeof(buf)));
	put("fuzz-reply", "smart-empty", buf,
	    ocxlpmem_smart_encode(&(struct ocxlpmem_smart){ .count = 0 }, buf, sizeof(buf)));
	put("fuzz-reply", "errlog-none", buf, ocxlpmem_error_log_encode(&none, buf, sizeof(buf)));
	put("fuzz-reply", "stats-zero", buf,
	    ocxlpmem_stats_encode(&(struct ocxlpmem_stats){ 0 }, buf, sizeof(buf)));
}

static void gen_smart(void)
{
	struct ocxlpmem_smart full = { .count = OCXLPMEM_SMART_MAX_ATTRS };

	for (unsigned int i = 0; i < full.count; i++)
		full.attrs[i] = (struct ocxlpmem_smart_attr){
			.id = (uint8_t)(i * 7), .flags = (uint16_t)i, .current = (uint8_t)(100 - i),
			.threshold = 5, .worst = (uint8_t)(90 - i), .raw = 1000ull * i,
		};
	put("fuzz-smart", "empty", buf,
	    ocxlpmem_smart_encode(&(struct ocxlpmem_smart){ .count = 0 }, buf, sizeof(buf)));
	put("fuzz-smart", "two", buf, ocxlpmem_smart_encode(&smart_two, buf, sizeof(buf)));
	put("fuzz-smart", "thirty", buf, ocxlpmem_smart_encode(&full, buf, sizeof(buf)));
}

static void gen_identity(void)
{
	struct ocxlpmem_health health = { .flags = OCXLPMEM_HEALTH_READY |
						   OCXLPMEM_HEALTH_MEMORY_AVAILABLE };
	struct ocxlpmem_firmware_info idle = {
		.running_version = "FW-1.0", .max_image_size = 1 << 22,
	};

	put("fuzz-identity", "capabilities", buf,
	    ocxlpmem_capabilities_encode(&caps, buf, sizeof(buf)));
	put("fuzz-identity", "health", buf, ocxlpmem_health_encode(&health, buf, sizeof(buf)));
	put("fuzz-identity", "events", buf,
	    ocxlpmem_events_encode(OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE, buf, sizeof(buf)));
	put("fuzz-identity", "firmware-info", buf,
	    ocxlpmem_firmware_info_encode(&fwinfo, buf, sizeof(buf)));
	put("fuzz-identity", "firmware-info-idle", buf,
	    ocxlpmem_firmware_info_encode(&idle, buf, sizeof(buf)));
	put("fuzz-identity", "sysfs-events", "0x5\n", 4);
	put("fuzz-identity", "sysfs-events-nonl", "0xf", 3);
}

static void gen_errlog(void)
{
	static struct ocxlpmem_error_log_entry e = {
		.present = true, .log_identifier = 0x123, .program_reference_code = 0xDEADBEEF,
		.action_flags = OCXLPMEM_ACTION_RESET | OCXLPMEM_ACTION_DUMP,
		.power_on_seconds = 3600, .timestamp_ns = 0x0011223344556677ull,
		.wwid = { 0x5005076000000001ull, 2 }, .fw_revision = "OC1.02",
		.type = OCXLPMEM_ERRLOG_GENERAL, .data_size = 8, .data_needed = 16,
		.data = "data0123",
	};
	static const struct ocxlpmem_error_log_entry none = { .present = false };

	put("fuzz-errlog", "none", buf, ocxlpmem_error_log_encode(&none, buf, sizeof(buf)));
	put("fuzz-errlog", "general", buf, ocxlpmem_error_log_encode(&e, buf, sizeof(buf)));
	e.type = OCXLPMEM_ERRLOG_HEALTH_PERFORMANCE;
	e.action_flags = 0;
	e.data_size = e.data_needed = 0;
	put("fuzz-errlog", "health-nodata", buf, ocxlpmem_error_log_encode(&e, buf, sizeof(buf)));
	put("fuzz-errlog", "ack", buf, ocxlpmem_error_log_ack_encode(0x123, buf, sizeof(buf)));
}

static void gen_stats(void)
{
	struct ocxlpmem_stats s = {
		.reset_count = 3, .reset_uptime_s = 86400, .power_on_uptime_s = 31536000,
		.life_remaining_pct = 97, .critical_resource_utilization_pct = 42,
		.host_load_count = 1000000, .host_store_count = 500000,
		.host_load_duration_ns = 1ull << 40, .host_store_duration_ns = 1ull << 39,
		.media_read_count = 12345, .media_write_count = 6789,
		.media_read_duration_ns = 99, .media_write_duration_ns = 98,
		.cache_read_hit_count = 7, .cache_write_hit_count = 6, .fast_write_count = 5,
	};

	put("fuzz-stats", "busy", buf, ocxlpmem_stats_encode(&s, buf, sizeof(buf)));
	put("fuzz-stats", "zero", buf,
	    ocxlpmem_stats_encode(&(struct ocxlpmem_stats){ 0 }, buf, sizeof(buf)));
}

static void gen_dump(void)
{
	static const uint8_t data[32] = "dump chunk data, 32 bytes long.";
	struct ocxlpmem_dump_info info = {
		.dump_id = 0xABCD, .total_size = 64, .origin = OCXLPMEM_DUMP_CARD,
	};
	struct ocxlpmem_dump_data_req req = { .dump_id = 0xABCD, .offset = 32, .max_size = 4096 };
	struct ocxlpmem_dump_chunk c = {
		.dump_id = 0xABCD, .total_size = 64, .offset = 32, .chunk_size = 32, .data = data,
	};
	ssize_t n;

	put("fuzz-dump", "info-card", buf, ocxlpmem_dump_info_encode(&info, buf, sizeof(buf)));
	put("fuzz-dump", "info-none", buf,
	    ocxlpmem_dump_info_encode(&(struct ocxlpmem_dump_info){ 0 }, buf, sizeof(buf)));
	put("fuzz-dump", "data-request", buf,
	    ocxlpmem_dump_data_req_encode(&req, buf, sizeof(buf)));
	n = ocxlpmem_dump_chunk_encode_hdr(&c, buf, sizeof(buf));
	memcpy(buf + n, data, sizeof(data));
	put("fuzz-dump", "chunk-last", buf, n + (ssize_t)sizeof(data));
	c.offset = 64;
	c.chunk_size = 0;
	put("fuzz-dump", "chunk-end", buf, ocxlpmem_dump_chunk_encode_hdr(&c, buf, sizeof(buf)));
	put("fuzz-dump", "complete", buf, ocxlpmem_dump_complete_encode(0xABCD, buf, sizeof(buf)));
}

static void gen_firmware(void)
{
	static uint8_t payload[64];
	struct ocxlpmem_fw_block b = { .offset = 0x8000, .size = 16, .data = payload };

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 37);
	put("fuzz-firmware", "start", buf, ocxlpmem_fw_start_encode(0x12340, buf, sizeof(buf)));
	put("fuzz-firmware", "block-16", buf, ocxlpmem_fw_block_encode(&b, buf, sizeof(buf)));
	b.offset = 0;
	b.size = sizeof(payload);
	put("fuzz-firmware", "block-64", buf, ocxlpmem_fw_block_encode(&b, buf, sizeof(buf)));
	put("fuzz-firmware", "image", buf,
	    ocxlpmem_fw_image_build("2.0.1", payload, sizeof(payload), buf, sizeof(buf)));
	put("fuzz-firmware", "image-header-only", buf,
	    ocxlpmem_fw_image_build("2.0.1-rc", NULL, 0, buf, sizeof(buf)));
	put("fuzz-firmware", "image-opaque", payload, sizeof(payload));
}

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return EXIT_FAILURE;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) < 0 && errno != EEXIST)
		die("creating", outdir, errno);
	gen_reply();
	gen_smart();
	gen_identity();
	gen_errlog();
	gen_stats();
	gen_dump();
	gen_firmware();
	return EXIT_SUCCESS;
}
