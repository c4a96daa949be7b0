// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz FW_UPDATE_START, FW_UPDATE_BLOCK, the image container and CRC-32. */
#include "fuzz.h"

static ssize_t enc_start(const uint32_t *size, void *buf, size_t cap)
{
	return ocxlpmem_fw_start_encode(*size, buf, cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t image[FUZZ_BUF * 2];
	struct ocxlpmem_fw_image_info info;
	struct ocxlpmem_fw_block block;
	uint32_t image_size;
	int r;

	FUZZ_ROUNDTRIP(uint32_t, ocxlpmem_fw_start_decode, enc_start, data, size);
	FUZZ_ROUNDTRIP(struct ocxlpmem_fw_block, ocxlpmem_fw_block_decode,
		       ocxlpmem_fw_block_encode, data, size);

	/* The CRC of the whole is the CRC continued over any split. */
	FUZZ_CHECK(ocxlpmem_crc32(ocxlpmem_crc32(0, data, size / 3), data + size / 3,
				  size - size / 3) == ocxlpmem_crc32(0, data, size));

	/* An image that passes the check rebuilds to itself. */
	memset(&info, FUZZ_POISON, sizeof(info));
	r = ocxlpmem_fw_image_check(data, size, FUZZ_BUF, &info);
	FUZZ_CHECK(ocxlpmem_fw_image_strerror(r) != NULL);
	if (r < 0) {
		fuzz_check_poisoned(&info, sizeof(info));
	} else if (info.has_header) {
		ssize_t n = ocxlpmem_fw_image_build(info.version, data + 32, info.payload_size,
						    image, sizeof(image));

		FUZZ_CHECK(n >= 0 && (size_t)n == size && memcmp(image, data, size) == 0);
	} else {
		FUZZ_CHECK(info.payload_size == size);
		FUZZ_CHECK(info.payload_crc32 == ocxlpmem_crc32(0, data, size));
	}

	/* Any printable version and aligned payload builds an image that passes. */
	if (size >= 8) {
		char version[OCXLPMEM_FW_VERSION_LEN + 1] = { 0 };
		size_t plen = (size - 8) & ~(size_t)7;
		ssize_t n;

		memcpy(version, data, 8);
		n = ocxlpmem_fw_image_build(version, data + 8, plen, image, sizeof(image));
		if (n >= 0) {
			r = ocxlpmem_fw_image_check(image, (size_t)n, (size_t)n, &info);
			FUZZ_CHECK(r == 0);
			FUZZ_CHECK(info.has_header && info.payload_size == plen);
			FUZZ_CHECK(strcmp(info.version, version) == 0);
		} else {
			FUZZ_CHECK(n == -EINVAL || n == -ENOSPC);
		}
	}

	fuzz_fill(&image_size, sizeof(image_size), data, size);
	FUZZ_ENCODE(uint32_t, &image_size, ocxlpmem_fw_start_decode, enc_start);
	fuzz_fill(&block, sizeof(block), data, size);
	block.data = data;
	block.size = size < OCXLPMEM_FW_BLOCK_MAX ? (uint32_t)size & ~7u : block.size;
	FUZZ_ENCODE(struct ocxlpmem_fw_block, &block, ocxlpmem_fw_block_decode,
		    ocxlpmem_fw_block_encode);
	return 0;
}
