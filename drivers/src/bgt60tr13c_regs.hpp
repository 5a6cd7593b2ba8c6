// Infineon BGT60TR13C register map, SPI protocol and the bit fields this driver programs.
// Sources: the BGT60TR13C datasheet (register overview and SPI protocol chapters) and
// Infineon's own register headers, which the vendor generates from the same register
// description: sensor-xensiv-bgt60trxx (xensiv_bgt60trxx_regs.h, xensiv_bgt60trxx.c) and
// the Radar SDK's registers_BGT60TRxxC.h ("digital chip ID 3").
#pragma once

#include <cstdint>

namespace chorus::drivers::bgt60 {

// SPI register access: one 32-bit word, MSB first: ADDR[6:0] in bits 31:25, RW in bit 24
// (1 = write), DATA[23:0]. Every reply starts with the global status byte GSR0.
constexpr uint32_t kAddressShift = 25;
constexpr uint32_t kWriteBit = 1u << 24;
constexpr uint32_t kDataMask = 0x00FFFFFFu;

// Burst read of the FIFO: the burst command 0xFF, then the start address (7 bits, 0x60 is
// the FIFO) in bits 23:17, RWB in bit 16 (0 = read), NBURSTS in bits 15:9 (0 = until chip
// select rises). The reply carries a 4-byte header (GSR0 + 24 padding bits) before the data.
constexpr uint32_t kBurstCommand = 0xFF000000u;
constexpr uint32_t kBurstAddressShift = 17;
constexpr uint32_t kFifoAddress = 0x60;
constexpr uint32_t kBurstHeaderBytes = 4;
constexpr uint8_t kBurstFill = 0xFF;       // MOSI during the burst's data (Infineon: TX high)
constexpr uint32_t kResetSettleMs = 10;    // after a reset bit clears (xensiv_bgt60trxx_soft_reset)
// A FIFO word is 24 bits holding two 12-bit ADC samples, first sample in the high bits.
constexpr uint32_t kFifoWordBytes = 3;
constexpr uint32_t kFifoWords = 8192;

// GSR0 bits.
constexpr uint8_t kGsr0FouErr = 0x01;       // FIFO overflow or underflow
constexpr uint8_t kGsr0MisoHsRead = 0x02;
constexpr uint8_t kGsr0SpiBurstErr = 0x04;
constexpr uint8_t kGsr0ClkNumErr = 0x08;    // SPI clock count was not a multiple of 8/12

// Registers.
constexpr uint8_t kMain = 0x00;
constexpr uint8_t kAdc0 = 0x01;
constexpr uint8_t kChipId = 0x02;
constexpr uint8_t kSfctl = 0x06;
constexpr uint8_t kCs1U0 = 0x10;
constexpr uint8_t kCs1U1 = 0x11;
constexpr uint8_t kCcr2 = 0x2E;
constexpr uint8_t kPll1_3 = 0x33;
constexpr uint8_t kPll1_7 = 0x37;
constexpr uint8_t kFstat = 0x5F;
constexpr uint8_t kRegisterCount = 0x60;

// MAIN: FRAME_START bit 0, SW_RESET bit 1, FSM_RESET bit 2, FIFO_RESET bit 3.
constexpr uint32_t kMainFrameStart = 1u << 0;
constexpr uint32_t kMainSwReset = 1u << 1;
constexpr uint32_t kMainFsmReset = 1u << 2;
constexpr uint32_t kMainFifoReset = 1u << 3;

// CHIP_ID: DIGITAL_ID bits 23:8, RF_ID bits 7:0; the BGT60TR13C reads 0x000303.
constexpr uint32_t kChipIdTr13c = 0x000303;

// ADC0: ADC_DIV bits 23:14; the MADC samples at 80 MHz / ADC_DIV.
constexpr uint32_t kAdcDivShift = 14;
constexpr uint32_t kAdcDivMask = 0x3FFu << kAdcDivShift;
constexpr uint32_t kSystemClockHz = 80000000;

// SFCTL: FIFO_CREF bits 12:0 (interrupt when the fill level exceeds it), FIFO_LP_MODE bit
// 13, QSPI_WT bits 23:20. 0x102000 is what Infineon's driver writes before the first read.
constexpr uint32_t kSfctlCrefMask = 0x1FFF;
constexpr uint32_t kSfctlDefault = 0x102000;

// CS1_U_0: RXn_LOBUF_EN / RXn_MIX_EN per receiver (RX1 bits 12/13, RX2 14/15, RX3 16/17).
constexpr uint32_t rx_enable_bits(int rx) { return 3u << (12 + 2 * rx); }
// CS1_U_1: BBCH_SEL bits 23:20, one bit per baseband channel fed to the MADC.
constexpr uint32_t kBbchSelShift = 20;
constexpr uint32_t kBbchSelMask = 0xFu << kBbchSelShift;

// CCR2: FRAME_LEN bits 23:12 (shape groups per frame - 1), MAX_FRAME_CNT bits 11:0
// (0 = run until stopped).
constexpr uint32_t kFrameLenShift = 12;
constexpr uint32_t kFrameLenMask = 0xFFFu << kFrameLenShift;
constexpr uint32_t kMaxFrameCntMask = 0xFFFu;

// PLL1_3: APU (ADC samples per up-chirp) bits 11:0, APD (down-chirp) bits 23:12.
constexpr uint32_t kApuMask = 0xFFF;
constexpr uint32_t kApdMask = 0xFFFu << 12;
// PLL1_7: REPS bits 3:0 (the shape repeats 2^REPS times per shape group).
constexpr uint32_t kRepsMask = 0xF;

// FSTAT: FILL_STATUS bits 13:0, FUF_ERR bit 19, FOF_ERR bit 23.
constexpr uint32_t kFstatFillMask = 0x3FFF;
constexpr uint32_t kFstatUnderflow = 1u << 19;
constexpr uint32_t kFstatOverflow = 1u << 23;

}  // namespace chorus::drivers::bgt60
