import { describe, expect, it } from 'vitest';
import { deviceLabel } from '../../../src/domain/device-label.js';

const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

describe('deviceLabel', () => {
  it('names an Android phone running Chrome by platform and major version', () => {
    expect(deviceLabel({ userAgent: ANDROID_CHROME })).toBe('Android · Chrome 131');
  });

  it('takes the platform and browser from client hints, past their GREASE brand', () => {
    const brands = [
      { brand: 'Not_A Brand', version: '24' },
      { brand: 'Chromium', version: '131' },
      { brand: 'Microsoft Edge', version: '131' },
    ];
    const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    expect(deviceLabel({ userAgent: ua, userAgentData: { platform: 'Windows', brands } })).toBe('Windows · Edge 131');
  });

  it('names the browsers Chinese officers use, which also call themselves Chrome or Safari', () => {
    const wechat = `${ANDROID_CHROME} XWEB/1300073 MMWEBSDK/20240301 MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin`;
    expect(deviceLabel({ userAgent: wechat, userAgentData: { platform: 'Android', brands: [{ brand: 'Chromium', version: '122' }] } })).toBe(
      'Android · WeChat 8',
    );
    const safari = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
    expect(deviceLabel({ userAgent: safari })).toBe('iOS · Safari 17');
    const huawei =
      'Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.5.302 Mobile Safari/537.36';
    expect(deviceLabel({ userAgent: huawei })).toBe('Android · Huawei Browser 14');
    expect(deviceLabel({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' })).toBe('Linux · Firefox 133');
  });

  it('says nothing it does not know', () => {
    expect(deviceLabel({ userAgent: '' })).toBeUndefined();
    expect(deviceLabel({ userAgent: 'curl/8.5.0' })).toBeUndefined();
  });
});
